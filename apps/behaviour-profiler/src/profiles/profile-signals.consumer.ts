import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  SMS_INBOUND_SOURCE,
  Topics,
  type IntentCatalogue,
  type TopicEvent,
} from '@onevoice/contracts';
import type { EventBatch, InboundMessage } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { PROFILER_CONFIG } from '../config/profiler-config.provider';
import {
  ledgerEntryBase,
  signalsOfDelivery,
  signalsOfInteraction,
  smsKeywordChange,
  type ChangeMeta,
  type ConsentEntry,
  type ProfilerConfig,
} from '@onevoice/policy';
import { PROFILER_INBOX } from '../profiler.tokens';
import { ProfileRepository, type CustomerRow } from './profile.repository';
import { ProfileService } from './profile.service';
import { Clock } from '@onevoice/clock';

type Interaction = TopicEvent<typeof Topics.interactions>;
type Delivery = TopicEvent<typeof Topics.deliveries>;
type PreferenceChange = TopicEvent<typeof Topics.preferences>;

/**
 * What customers do (interactions), what became of our messages (deliveries) and what customers
 * said (preferences) update their profiles. A batch's customers are locked and loaded at once,
 * changed in memory and written back together; a profile is published once per customer and
 * batch, and only when it changed materially.
 */
@Controller()
export class ProfileSignalsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(PROFILER_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(PROFILER_CONFIG) private readonly config: ProfilerConfig,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly repo: ProfileRepository,
    private readonly profiles: ProfileService,
  ) {}

  @EventPattern(Topics.interactions)
  async onInteractions(@Payload() batch: EventBatch<Interaction>): Promise<void> {
    await this.run(batch, (row, event, now) => {
      this.profiles.addSignals(row, signalsOfInteraction(event, this.config, now));
      if (event.type !== 'interaction.inbound_contact' || event.data.channel !== 'sms') return [];
      // A keyword is the customer's word to the carrier: acted on only as the provider reported
      // it, never from a department that wrote to the topic (ingest refuses those too).
      const keyword =
        event.data.text && event.source === SMS_INBOUND_SOURCE
          ? smsKeywordChange(event.data.text)
          : undefined;
      if (!keyword) return [];
      const meta = changeMeta(event, now, 'sms', `sms keyword (${event.source})`);
      if (keyword.kind === 'help')
        return [{ ...ledgerEntryBase(meta), action: 'help_requested', channel: 'sms' }];
      return this.profiles.changePreferences(row, keyword.change, meta);
    });
  }

  @EventPattern(Topics.deliveries)
  async onDeliveries(@Payload() batch: EventBatch<Delivery>): Promise<void> {
    const categoryOf = (intentType: string) => this.catalogue.intents[intentType]?.category;
    await this.run(batch, (row, event, now) => {
      this.profiles.addSignals(row, signalsOfDelivery(event, categoryOf, now));
      return [];
    });
  }

  @EventPattern(Topics.preferences)
  async onPreferences(@Payload() batch: EventBatch<PreferenceChange>): Promise<void> {
    await this.run(batch, (row, event, now) =>
      this.profiles.changePreferences(row, event.data, {
        ...changeMeta(event, now, event.data.via ?? 'api', event.source),
        ...(event.data.wordingVersion ? { wordingVersion: event.data.wordingVersion } : {}),
      }),
    );
  }

  private async run<E extends { id: string; source: string; subject: string }>(
    batch: EventBatch<E>,
    apply: (row: CustomerRow, event: E, now: Date) => ConsentEntry[],
  ): Promise<void> {
    const now = this.clock.now();
    let rows = new Map<string, CustomerRow>();
    const lastOf = new Map<string, InboundMessage<E>>();
    const ledger: (ConsentEntry & { customerId: string })[] = [];
    await this.inbox.process(
      batch,
      async (_tx, message) => {
        const row = rows.get(message.event.subject)!;
        for (const entry of apply(row, message.event, now))
          ledger.push({ ...entry, customerId: row.customerId });
        // A customer's profile is published once per batch, after their last message in it.
        return lastOf.get(row.customerId) === message
          ? this.profiles.publishIfChanged(row, now)
          : [];
      },
      batch.messages,
      {
        prepare: async (tx, claimed) => {
          rows = await this.repo.lockAndLoad(
            tx,
            claimed.map((m) => m.event.subject),
          );
          for (const m of claimed) lastOf.set(m.event.subject, m);
        },
        finish: async (tx) => {
          await this.repo.save(
            tx,
            [...lastOf.keys()].map((c) => rows.get(c)!),
            ledger,
            now,
          );
        },
      },
    );
  }
}

/**
 * A change as the ledger records it: when this profiler took it (its clock), with the time the
 * sender claimed kept beside it, never instead.
 */
function changeMeta(
  event: { time?: string | undefined },
  now: Date,
  via: string,
  source: string,
): ChangeMeta {
  return { at: now, ...(event.time ? { statedAt: new Date(event.time) } : {}), via, source };
}
