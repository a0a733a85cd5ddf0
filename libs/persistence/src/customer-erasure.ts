import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Clock } from '@onevoice/clock';
import {
  cloudEvent,
  CUSTOMER_ERASED,
  ERASURE_DONE,
  Topics,
  type ErasingService,
  type ErasureEvent,
} from '@onevoice/contracts';
import { EventPublisher, outbound, type EventBatch } from '@onevoice/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows } from './database';
import { ErasedCustomers, RECORD_ERASED_CUSTOMER } from './erased-customers';

/**
 * One thing a service removes (or reduces) of an erased customer: a statement taking the
 * customer id as `$1`, whose affected rows are counted under `what`.
 */
export interface ErasureStep {
  what: string;
  sql: string;
  /** Further parameters after the customer id (`$2`, …). */
  more?: (customerId: string) => unknown[];
}

/** Published events this service kept to publish again on redelivery, keyed by the customer. */
export const ERASE_PROCESSED_OUTPUTS: ErasureStep = {
  what: 'processed_messages.outputs',
  sql: `UPDATE processed_messages SET outputs = '[]'::jsonb
         WHERE outputs @> jsonb_build_array(jsonb_build_object('key', $1::text))`,
};

/** A table of the service's whose rows about the customer all go. */
export const eraseFrom = (table: string): ErasureStep => ({
  what: table,
  sql: `DELETE FROM ${table} WHERE customer_id = $1`,
});

/** Events about the customer not yet published (they are not published now). */
export const ERASE_OUTBOX: ErasureStep = {
  what: 'outbox',
  sql: 'DELETE FROM outbox WHERE key = $1',
};

/** What a service does for one erasure, in one transaction: its steps, and any of its own. */
export interface CustomerEraser {
  service: ErasingService;
  steps: readonly ErasureStep[];
  /** Before the steps, in their transaction (take the customer's lock, say). */
  before?: (tx: EntityManager, customerId: string) => Promise<void>;
  /** After the steps committed (files, memory); returns what it removed, by what held it. */
  after?: (customerId: string) => Promise<Record<string, number>>;
}

/**
 * Carries out `customer.erased` for one service (docs/design.md §5, erasure): removes what the
 * service holds of the customer in one transaction, then confirms with `customer.erasure_done`,
 * naming what it removed. Deleting is idempotent, and the confirmation's id is the erasure's and
 * the service's: a redelivered request is erased again harmlessly and confirmed once.
 */
export async function handleErasures(
  batch: EventBatch<ErasureEvent>,
  dataSource: DataSource,
  publisher: EventPublisher,
  eraser: CustomerEraser,
  guard: ErasedCustomers,
  now: () => Date,
): Promise<void> {
  const logger = new Logger(`Erasure(${eraser.service})`);
  for (const message of batch.messages) {
    const { event } = message;
    if (event.type !== CUSTOMER_ERASED) continue;
    const customerId = event.subject;
    await batch.trace(message, async () => {
      const removed = await dataSource.transaction(async (tx) => {
        await eraser.before?.(tx, customerId);
        const counts: Record<string, number> = {};
        for (const step of eraser.steps) {
          const result = (await tx.query(step.sql, [
            customerId,
            ...(step.more?.(customerId) ?? []),
          ])) as unknown;
          counts[step.what] = (counts[step.what] ?? 0) + affectedRows(result);
        }
        // Events about them still in flight are skipped from now on (see ErasedCustomers).
        await tx.query(RECORD_ERASED_CUSTOMER, [customerId, now()]);
        return counts;
      });
      guard.add(customerId);
      Object.assign(removed, await eraser.after?.(customerId));
      logger.log({ msg: 'customer erased', erasureId: event.data.erasureId, removed });
      await publisher.publish([
        outbound(
          Topics.erasures,
          cloudEvent({
            id: `${event.data.erasureId}:${eraser.service}`,
            source: `onevoice/${eraser.service}`,
            type: ERASURE_DONE,
            subject: customerId,
            time: now(),
            data: { erasureId: event.data.erasureId, service: eraser.service, removed },
          }),
        ),
      ]);
    });
  }
}

/** Injection token of the service's `CustomerEraser` (see `ErasureConsumer`). */
export const CUSTOMER_ERASER = Symbol('CustomerEraser');

/**
 * The erasure consumer of a service that only erases (every service but the behaviour profiler,
 * which also keeps the confirmations): add it to the module's controllers, and provide the
 * service's `CustomerEraser` under `CUSTOMER_ERASER`.
 */
@Controller()
export class ErasureConsumer {
  constructor(
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(CUSTOMER_ERASER) private readonly eraser: CustomerEraser,
    private readonly guard: ErasedCustomers,
  ) {}

  @EventPattern(Topics.erasures)
  async onErasures(@Payload() batch: EventBatch<ErasureEvent>): Promise<void> {
    await handleErasures(batch, this.dataSource, this.publisher, this.eraser, this.guard, () =>
      this.clock.now(),
    );
  }
}
