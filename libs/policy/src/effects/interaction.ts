import type { CaseKind, Topics, TopicEvent } from '@onevoice/contracts';

export type Interaction = TopicEvent<typeof Topics.interactions>;

/** Engagement that shows the customer took a message in: its reminders are no longer needed. */
const ENGAGED = new Set(['opened', 'clicked', 'replied']);

/**
 * What one thing the customer did means to the one-voice rules, in the order it is applied:
 * the ledger records it, and a fulfilment calls off what of the intent has not gone out.
 */
export type InteractionEffect =
  /** They reached us on this channel: answering in kind (rule 3) follows it. */
  | { kind: 'inbound'; channel: string }
  | { kind: 'timeline'; entry: 'interaction' | 'case' | 'engagement'; text: string }
  | { kind: 'open-case'; caseId: string; caseKind: CaseKind }
  | { kind: 'close-case'; caseId: string }
  /** They took in this message: no reminder of it (rule 9). */
  | { kind: 'engaged'; decisionId: string }
  /** What they were asked for is done (rule 8); `summary` is the timeline's line. */
  | { kind: 'fulfil'; intentKey: string; summary: string }
  /** A reply that may answer a message that asked for this word ("reply BOOK"). */
  | { kind: 'reply'; keyword: string };

/** The effects of one interaction event. Pure: the consumer carries them out in order. */
export function interactionEffects(event: Interaction): InteractionEffect[] {
  switch (event.type) {
    case 'interaction.fulfilled':
      return [
        {
          kind: 'fulfil',
          intentKey: event.data.intentKey,
          summary: `${event.source} reported "${event.data.intentKey}" done.`,
        },
      ];
    case 'interaction.payment': {
      const { channel, amount, fulfils } = event.data;
      return [
        { kind: 'inbound', channel },
        fulfils
          ? {
              kind: 'fulfil',
              intentKey: fulfils,
              summary: `Paid ${amount} by ${channel}, settling "${fulfils}".`,
            }
          : { kind: 'timeline', entry: 'interaction', text: `Paid ${amount} by ${channel}.` },
      ];
    }
    case 'case.opened':
      return [
        { kind: 'open-case', caseId: event.data.caseId, caseKind: event.data.kind },
        {
          kind: 'timeline',
          entry: 'case',
          text: `${event.data.kind} case ${event.data.caseId} opened.`,
        },
      ];
    case 'case.closed':
      return [
        { kind: 'close-case', caseId: event.data.caseId },
        {
          kind: 'timeline',
          entry: 'case',
          text: `${event.data.kind} case ${event.data.caseId} closed.`,
        },
      ];
    case 'interaction.inbound_contact': {
      const { channel, reason, text } = event.data;
      const keyword = replyKeywordOf(text);
      return [
        { kind: 'inbound', channel },
        {
          kind: 'timeline',
          entry: 'interaction',
          text: `The customer contacted us by ${channel}${reason ? `: ${reason}` : ''}.`,
        },
        ...(keyword ? [{ kind: 'reply' as const, keyword }] : []),
      ];
    }
    case 'interaction.self_service':
      return [
        {
          kind: 'timeline',
          entry: 'interaction',
          text: `Self-service on ${event.data.channel}: ${event.data.action}.`,
        },
      ];
    case 'interaction.engagement':
      return [
        ...(ENGAGED.has(event.data.action)
          ? [{ kind: 'engaged' as const, decisionId: event.data.decisionId }]
          : []),
        {
          kind: 'timeline',
          entry: 'engagement',
          text: `The customer ${event.data.action} the ${event.data.channel} message.`,
        },
      ];
  }
}

/**
 * A reply with the word a message asked for answers that message: it was engaged with, and what
 * it asked for is done — its reminders are called off, as on any fulfilment.
 */
export function answeredByReply(
  keyword: string,
  answered: { decisionId: string; intentKey: string; intentType: string },
): InteractionEffect[] {
  return [
    { kind: 'engaged', decisionId: answered.decisionId },
    {
      kind: 'fulfil',
      intentKey: answered.intentKey,
      summary: `Replied ${keyword} to ${answered.intentType}: "${answered.intentKey}" is done.`,
    },
  ];
}

/** The word a reply starts with, as a keyword ("book!" → BOOK); none for an empty text. */
export function replyKeywordOf(text: string | undefined): string | undefined {
  const first = text
    ?.trim()
    .split(/\s+/)[0]
    ?.replace(/[^\p{L}\p{N}]/gu, '');
  return first ? first.toUpperCase() : undefined;
}
