import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SmsKeyword } from '@onevoice/contracts';
import { EventPublisher } from '@onevoice/messaging';
import { preferencesLink } from '@onevoice/links';
import { DataSource } from 'typeorm';
import { CHANNEL_ADAPTERS, type ChannelAdapters } from '../channels/channel-adapter';
import { DeliveriesRepository, rowOf, type NewDelivery } from '../deliveries/deliveries.repository';
import { DISPATCHER_LINKS, type DispatcherLinks } from '../deliveries/deliveries.tokens';
import {
  confirmedKeyword,
  deliveryIdFor,
  keywordReplyIntent,
} from '../deliveries/delivery-composer';
import { keywordRecorded } from '@onevoice/policy';
import { DeliverySender } from '../deliveries/delivery-sender';
import { DueDeliveriesScheduler } from '../scheduler/due-deliveries.scheduler';

export const SMS_SENDER_NAME = Symbol('SmsSenderName');

/** How long the answer to a STOP or START waits for the change to be recorded. */
export const CONFIRM_WITHIN_MS = 10 * 60_000;

/** What a keyword reply says: who writes, what happened, and what the customer can do. */
export function keywordReplyText(keyword: SmsKeyword, sender: string, preferences: string): string {
  switch (keyword) {
    case 'stop':
      return `${sender}: you will get no more texts from us. Reply START to get them again. Your choices: ${preferences}`;
    case 'start':
      return `${sender}: texts are on again. Reply STOP to stop them, HELP for help. Your choices: ${preferences}`;
    case 'help':
      return `${sender}: messages about your account and services. Choose what we send and how: ${preferences} Reply STOP to stop texts.`;
  }
}

/**
 * Answers a customer's STOP, START and HELP texts, as carriers require — a STOP's or START's once
 * the change is recorded, a HELP's at once: a direct answer
 * to the customer's own message, not a contact a department asked for, so it is not decided by
 * the coordinator. It is still a delivery like any other (recorded first, idempotent by the
 * inbound message, so a provider re-posting the reply gets no second answer; its events reach
 * the timeline).
 */
@Injectable()
export class KeywordReplies {
  private readonly logger = new Logger(KeywordReplies.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
    private readonly scheduler: DueDeliveriesScheduler,
    private readonly publisher: EventPublisher,
    @Inject(CHANNEL_ADAPTERS) private readonly adapters: ChannelAdapters,
    @Inject(DISPATCHER_LINKS) private readonly links: DispatcherLinks,
    @Inject(SMS_SENDER_NAME) private readonly senderName: string,
  ) {}

  async reply(
    messageSid: string,
    customerId: string,
    keyword: SmsKeyword,
    now: Date,
  ): Promise<void> {
    const ref = `reply:${messageSid}`;
    const body = keywordReplyText(
      keyword,
      this.senderName,
      preferencesLink(this.links, customerId, now),
    );
    const delivery: NewDelivery = {
      deliveryId: deliveryIdFor(ref),
      decisionId: ref,
      requestId: ref,
      intentType: keywordReplyIntent(keyword),
      intentKey: ref,
      customerId,
      channel: 'sms',
      provider: this.adapters.for('sms').provider,
      subject: `Reply to ${keyword.toUpperCase()}`,
      body,
      // A STOP's or START's answer confirms the change, so it waits until the profile shows it
      // recorded (the refusals consumer lets it go then); HELP's goes at once. At the deadline
      // without it, it is not sent (see DeliverySender.withoutRefused).
      sendAfter: keyword === 'help' ? now : new Date(now.getTime() + CONFIRM_WITHIN_MS),
      // Carriers expect the answer at once.
      priority: 0,
    };
    const recorded = await this.deliveries.recordMany(this.dataSource.manager, [delivery]);
    if (recorded.size === 0) return; // answered already
    this.logger.log({ msg: 'answering an SMS keyword', keyword, deliveryId: delivery.deliveryId });
    await this.publisher.publish([
      this.sender.event(
        rowOf(delivery),
        'scheduled',
        now,
        keyword === 'help'
          ? `answers the customer's HELP`
          : `answers the customer's ${keyword.toUpperCase()} once it is recorded`,
      ),
    ]);
    // The profile may have shown the change before this answer was recorded: then it goes now.
    await this.release(customerId, now);
    this.scheduler.kick();
  }

  /**
   * Lets the customers' waiting answers to STOP or START go now if the latest profile this
   * dispatcher read shows the change recorded (`keywordRecorded`: the same rule the sender
   * applies at the deadline); returns how many it let go.
   */
  async release(customerIds: string | readonly string[], now: Date): Promise<number> {
    const db = this.dataSource.manager;
    const ids = typeof customerIds === 'string' ? [customerIds] : customerIds;
    if (ids.length === 0) return 0;
    const waiting = await this.deliveries.waitingKeywordAnswers(db, ids, now);
    if (waiting.length === 0) return 0;
    const refusals = await this.deliveries.refusalsOf(db, [
      ...new Set(waiting.map((w) => w.customer_id)),
    ]);
    const due = waiting.filter((w) => {
      const keyword = confirmedKeyword(w.intent_type);
      const optOuts = refusals.get(w.customer_id)?.optOuts ?? [];
      return keyword !== undefined && keywordRecorded(keyword, optOuts);
    });
    if (due.length > 0)
      await this.deliveries.sendNow(
        db,
        due.map((w) => w.delivery_id),
        now,
      );
    return due.length;
  }
}
