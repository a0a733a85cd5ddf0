import { isOptionalCategory } from '@onevoice/contracts';
/**
 * Fills `{{name}}` placeholders from the message's variables; `{{action}}` is the action link or
 * reply keyword. A placeholder with no value stays visible rather than vanishing silently.
 */
export function renderTemplate(
  template: string,
  variables: Record<string, unknown>,
  action: { url?: string; replyKeyword?: string },
): string {
  const actionText = action.url ?? (action.replyKeyword ? `reply ${action.replyKeyword}` : '');
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, name: string) => {
    if (name === 'action') return actionText;
    const value = variables[name];
    if (value === undefined || value === null) return whole;
    return typeof value === 'object'
      ? JSON.stringify(value)
      : String(value as string | number | boolean);
  });
}

export interface Rendered {
  subject: string;
  body: string;
}

/**
 * One message out of a digest: the holding message first, then each message it carries, each
 * named by its own subject and saying what it is about, with its own action.
 */
export function composeDigest(first: Rendered, others: readonly Rendered[]): Rendered {
  if (others.length === 0) return first;
  return {
    subject: `${first.subject} (and ${others.length} more)`,
    body: [
      first.body,
      '',
      `Also for you (${others.length}):`,
      ...others.map((o) => `- ${o.subject}: ${o.body}`),
    ].join('\n'),
  };
}

/**
 * Every message carries the way to the customer's choices: the preference centre, and (where a
 * message can carry it, for a kind of message one may stop) one-click unsubscribe from this kind
 * of message. Texts stay short.
 */
export function withPreferenceLinks(
  message: Rendered,
  /** `unsubscribe`: for a kind of message a customer may stop (it is left out otherwise). */
  links: { preferences: string; unsubscribe?: string },
  channel: string,
  category: string,
): Rendered {
  const optional = isOptionalCategory(category);
  const lines =
    channel === 'sms' || channel === 'push'
      ? [`Your choices: ${links.preferences}`]
      : [
          `Choose how we contact you: ${links.preferences}`,
          ...(optional && links.unsubscribe
            ? [`Stop ${category} messages: ${links.unsubscribe}`]
            : []),
        ];
  return { ...message, body: [message.body, '', ...lines].join('\n') };
}
