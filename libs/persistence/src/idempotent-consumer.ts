import { Logger, type FactoryProvider } from '@nestjs/common';
import {
  EventPublisher,
  type EventBatch,
  type InboundMessage,
  type Outbound,
} from '@onevoice/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { ErasedCustomers } from './erased-customers';
import { failpoint } from './failpoint';

interface Identified {
  id: string;
  source: string;
}

export interface ProcessOutcome {
  processed: number;
  /** The same event id seen again at another offset: accepted once, nothing re-done. */
  duplicates: number;
  /** The same message delivered again (after a crash before the offset commit). */
  redelivered: number;
}

/** What was made of a message seen before: where it was read, and what its work published. */
export interface EarlierClaim {
  topic: string;
  offset: string;
  outputs: Outbound[];
}

/**
 * Where an `IdempotentConsumer` keeps its claims. `claim` records the messages not seen before
 * (returning their ids) and describes those seen before; `keep` stores what each claimed message's
 * work published, for a redelivery — or nothing, where the work's own records already say it.
 */
export interface InboxLedger<E> {
  claim(
    tx: EntityManager,
    batch: { topic: string; partition: number },
    messages: readonly InboundMessage<E>[],
    ids: readonly string[],
  ): Promise<{ claimed: Set<string>; earlier: Map<string, EarlierClaim> }>;
  keep(tx: EntityManager, produced: readonly { id: string; outputs: Outbound[] }[]): Promise<void>;
}

/** The default ledger: a row per message in the service's `processed_messages` table. */
class ProcessedMessagesLedger implements InboxLedger<Identified> {
  constructor(private readonly consumer: string) {}

  async claim(
    tx: EntityManager,
    batch: { topic: string; partition: number },
    messages: readonly InboundMessage<Identified>[],
    ids: readonly string[],
  ) {
    const claimed = new Set<string>(
      (
        (await tx.query(
          `INSERT INTO processed_messages (consumer, message_id, source_topic, source_partition, source_offset)
           SELECT $1, id, $2, $3, off FROM unnest($4::text[], $5::bigint[]) AS t(id, off)
           ON CONFLICT DO NOTHING
           RETURNING message_id`,
          [this.consumer, batch.topic, batch.partition, ids, messages.map((m) => m.offset)],
        )) as { message_id: string }[]
      ).map((r) => r.message_id),
    );
    const seenBefore = ids.filter((id) => !claimed.has(id));
    const earlier = new Map<string, EarlierClaim>();
    if (seenBefore.length > 0) {
      const rows = (await tx.query(
        `SELECT message_id, source_topic, source_offset::text AS source_offset, outputs
           FROM processed_messages WHERE consumer = $1 AND message_id = ANY($2::text[])`,
        [this.consumer, seenBefore],
      )) as {
        message_id: string;
        source_topic: string;
        source_offset: string;
        outputs: Outbound[];
      }[];
      for (const r of rows)
        earlier.set(r.message_id, {
          offset: r.source_offset,
          topic: r.source_topic,
          outputs: r.outputs,
        });
    }
    return { claimed, earlier };
  }

  async keep(tx: EntityManager, produced: readonly { id: string; outputs: Outbound[] }[]) {
    const withOutputs = produced.filter((p) => p.outputs.length > 0);
    if (withOutputs.length === 0) return;
    // One JSON document: no per-element escaping of every event in a text array.
    await tx.query(
      `UPDATE processed_messages p SET outputs = t.outputs
         FROM jsonb_to_recordset($2::jsonb) AS t(id text, outputs jsonb)
        WHERE p.consumer = $1 AND p.message_id = t.id`,
      [this.consumer, JSON.stringify(withOutputs)],
    );
  }
}

/**
 * Exactly-once effects over at-least-once delivery. For a batch, in one transaction:
 * claim every message id (in `processed_messages`, or the `InboxLedger` given); run `work` for
 * the new ones and keep what it wants published with the claim; commit; then publish. A
 * redelivered message (same offset) publishes its stored outputs again instead of re-running its
 * work, so a crash between the commit and the publish loses nothing and duplicates nothing
 * downstream consumers can't recognise by event id. A duplicate (same id, another offset) is
 * skipped.
 */
export class IdempotentConsumer {
  private readonly logger = new Logger(IdempotentConsumer.name);
  private readonly processedMessages: InboxLedger<Identified>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly consumer: string,
    /** What makes two messages the same; by default the CloudEvent's source and id. */
    private readonly messageId: (event: Identified) => string = (e) => `${e.source}/${e.id}`,
    /** Customers this service erased lately: events about them are skipped. */
    private readonly erased?: ErasedCustomers,
  ) {
    this.processedMessages = new ProcessedMessagesLedger(consumer);
  }

  async process<E extends Identified>(
    batch: EventBatch<E>,
    work: (tx: EntityManager, message: InboundMessage<E>) => Promise<Outbound[]>,
    /** The batch's messages to process; those a handler rejected up front are left out. */
    messages: readonly InboundMessage<E>[] = batch.messages,
    /**
     * Set-based work around the per-message work, in the same transaction: `prepare` sees the
     * messages that are new (claimed now), before any `work`; `finish` runs after the last.
     */
    hooks: {
      prepare?: (tx: EntityManager, claimed: InboundMessage<E>[]) => Promise<void>;
      finish?: (tx: EntityManager) => Promise<void>;
      /** Where the claims and their outputs are kept; by default `processed_messages`. */
      ledger?: InboxLedger<E>;
    } = {},
  ): Promise<ProcessOutcome> {
    if (this.erased)
      messages = this.erased.without(
        messages,
        (m) => m.key ?? (m.event as { subject?: string }).subject,
      );
    if (messages.length === 0) return { processed: 0, duplicates: 0, redelivered: 0 };
    const outcome: ProcessOutcome = { processed: 0, duplicates: 0, redelivered: 0 };
    const ledger = hooks.ledger ?? this.processedMessages;
    const toPublish = await this.dataSource.transaction(async (tx) => {
      const ids = messages.map((m) => this.messageId(m.event));
      const { claimed, earlier } = await ledger.claim(tx, batch, messages, ids);

      if (hooks.prepare) {
        const seen = new Set<string>();
        const fresh = messages.filter(
          (m, i) => claimed.has(ids[i]!) && !seen.has(ids[i]!) && seen.add(ids[i]!),
        );
        await hooks.prepare(tx, fresh);
      }
      const publish: Outbound[] = [];
      const produced: { id: string; outputs: Outbound[] }[] = [];
      const done = new Set<string>();
      for (const [i, message] of messages.entries()) {
        const id = ids[i]!;
        if (claimed.has(id) && !done.has(id)) {
          done.add(id);
          const outputs = await batch.trace(message, () => work(tx, message));
          produced.push({ id, outputs });
          publish.push(...outputs);
          outcome.processed++;
          continue;
        }
        const before = earlier.get(id);
        if (before && before.topic === message.topic && before.offset === message.offset) {
          publish.push(...before.outputs);
          outcome.redelivered++;
        } else {
          outcome.duplicates++;
        }
      }
      await hooks.finish?.(tx);
      await ledger.keep(tx, produced);
      return publish;
    });
    if (outcome.redelivered > 0) {
      this.logger.log({
        msg: 're-publishing what redelivered messages caused',
        consumer: this.consumer,
        topic: batch.topic,
        redelivered: outcome.redelivered,
      });
    }
    // Crash tests stop here: the work is committed, nothing is published, no offset is committed.
    failpoint(`after-commit:${batch.topic}`);
    await this.publisher.publish(toPublish);
    return outcome;
  }
}

/** A Nest provider of the service's `IdempotentConsumer`, recording under `consumer`. */
export function idempotentConsumerProvider(
  token: symbol,
  consumer: string,
  messageId?: (event: Identified) => string,
): FactoryProvider<IdempotentConsumer> {
  return {
    provide: token,
    inject: [DataSource, EventPublisher, { token: ErasedCustomers, optional: true }],
    useFactory: (db: DataSource, publisher: EventPublisher, erased?: ErasedCustomers) =>
      new IdempotentConsumer(db, publisher, consumer, messageId, erased),
  };
}
