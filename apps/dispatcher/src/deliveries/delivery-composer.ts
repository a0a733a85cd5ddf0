import { Inject, Injectable } from '@nestjs/common';
import {
  isOptionalCategory,
  URGENCIES,
  type Channel,
  type Urgency,
  type DecisionData,
  type IntentCatalogue,
  type SmsKeyword,
} from '@onevoice/contracts';
import { preferencesLink, trackingLinks, unsubscribeLink } from '@onevoice/links';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { hash } from 'node:crypto';
import { CHANNEL_ADAPTERS, type ChannelAdapters } from '../channels/channel-adapter';
import type { NewDelivery } from './deliveries.repository';
import { DISPATCHER_LINKS, type DispatcherLinks } from './deliveries.tokens';
import { composeDigest, renderTemplate, withPreferenceLinks, type Rendered } from './render';

type Action = DecisionData['action'];

/** What a message says, whatever channel carries it: kept with a delivery that may fall back. */
export interface DeliveryContent {
  decisionId: string;
  requestId: string;
  intentType: string;
  intentKey: string;
  category: string;
  /** Absent in what deliveries recorded before it was kept. */
  urgency?: Urgency;
  customerId: string;
  variables: Record<string, unknown>;
  action: Action;
  /** The messages a digest carries with it. */
  merged?: { intentType: string; variables: Record<string, unknown>; action: Action }[];
}

/** A delivery's place in the send queue: 0 for critical … 3 for low (normal when unknown). */
export function priorityOf(urgency: Urgency | undefined): number {
  const rank = urgency ? URGENCIES.indexOf(urgency) : -1;
  return rank < 0 ? 2 : rank;
}

/** The intent type of the dispatcher's own answer to a keyword the customer texted. */
export const keywordReplyIntent = (keyword: SmsKeyword): string => `sms.${keyword}_reply`;
/** Every keyword is answered (a record, so a new keyword cannot be left out). */
const ANSWERED: Record<SmsKeyword, true> = { stop: true, start: true, help: true };
const KEYWORD_REPLIES: ReadonlySet<string> = new Set(
  (Object.keys(ANSWERED) as SmsKeyword[]).map(keywordReplyIntent),
);
/** Is this delivery the answer to a STOP, START or HELP the customer texted? */
export const isKeywordReply = (intentType: string): boolean => KEYWORD_REPLIES.has(intentType);
/** The change an answer confirms (a STOP's, a START's), which must be recorded before it goes. */
export const confirmedKeyword = (intentType: string): 'stop' | 'start' | undefined =>
  intentType === keywordReplyIntent('stop')
    ? 'stop'
    : intentType === keywordReplyIntent('start')
      ? 'start'
      : undefined;

/** The id of a decision's delivery on its first channel, or on a channel it fell back to. */
export function deliveryIdFor(decisionId: string, fallbackChannel?: Channel): string {
  const seed = fallbackChannel
    ? `delivery:${decisionId}:${fallbackChannel}`
    : `delivery:${decisionId}`;
  return hash('sha256', seed, 'hex').slice(0, 32);
}

/**
 * Renders a decision's message for one channel, as a delivery ready to record: the intent's
 * template with the message's variables, a digest's other messages named, the preference (and,
 * for kinds of message one may stop, unsubscribe) links, and for email a tracked action link and
 * open image.
 */
@Injectable()
export class DeliveryComposer {
  constructor(
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    @Inject(CHANNEL_ADAPTERS) private readonly adapters: ChannelAdapters,
    @Inject(DISPATCHER_LINKS) private readonly links: DispatcherLinks,
  ) {}

  compose(
    content: DeliveryContent,
    channel: Channel,
    window: { sendAfter: Date; sendBefore?: Date },
    now: Date,
    extra: {
      /** A delivery on a channel the decision fell back to (it has an id of its own). */
      asFallback?: boolean;
      fallback?: DecisionData['fallback'];
      traceparent?: string;
    } = {},
  ): NewDelivery {
    const { customerId, category } = content;
    // Unsubscribing is for kinds of message a customer may stop; others get no such link.
    const optional = isOptionalCategory(category);
    const links = {
      preferences: preferencesLink(this.links, customerId, now),
      ...(optional ? { unsubscribe: unsubscribeLink(this.links, customerId, category, now) } : {}),
    };
    // An email's action leads through a redirect that records the click; an image records the open.
    const tracking =
      channel === 'email' && this.links.trackingBaseUrl
        ? trackingLinks(
            { ...this.links, baseUrl: this.links.trackingBaseUrl },
            customerId,
            content.decisionId,
            content.action.url,
            now,
          )
        : undefined;
    const action = tracking?.click ? { ...content.action, url: tracking.click } : content.action;
    const rendered = withPreferenceLinks(
      composeDigest(
        this.render(content.intentType, content.variables, action),
        (content.merged ?? []).map((m) => this.render(m.intentType, m.variables, m.action)),
      ),
      links,
      channel,
      category,
    );
    return {
      deliveryId: deliveryIdFor(content.decisionId, extra.asFallback ? channel : undefined),
      decisionId: content.decisionId,
      requestId: content.requestId,
      intentType: content.intentType,
      intentKey: content.intentKey,
      customerId,
      channel,
      provider: this.adapters.for(channel).provider,
      subject: rendered.subject,
      body: rendered.body,
      sendAfter: window.sendAfter,
      ...(window.sendBefore ? { sendBefore: window.sendBefore } : {}),
      ...(links.unsubscribe ? { listUnsubscribe: links.unsubscribe } : {}),
      ...(tracking ? { trackingPixel: tracking.open } : {}),
      ...(extra.traceparent ? { traceparent: extra.traceparent } : {}),
      priority: priorityOf(content.urgency),
      // Only a delivery that may fall back keeps what it says, to say it again elsewhere.
      ...(extra.fallback ? { fallback: extra.fallback, content } : {}),
    };
  }

  private render(intentType: string, variables: Record<string, unknown>, action: Action): Rendered {
    const template = this.catalogue.intents[intentType]?.template;
    return template
      ? {
          subject: renderTemplate(template.subject, variables, action),
          body: renderTemplate(template.body, variables, action),
        }
      : { subject: intentType, body: JSON.stringify(variables) };
  }
}
