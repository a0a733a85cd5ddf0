import { Clock } from '@onevoice/clock';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SpanKind, trace } from '@opentelemetry/api';
import { EventPublisher } from '@onevoice/messaging';
import { DueWorkLoop } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { CoordinatorService } from '../ledger/coordinator.service';
import { LedgerSession } from '../ledger/ledger-session';
import { LedgerRepository } from '../ledger/ledger.repository';

export const SCHEDULER_TICK_MS = Symbol('SchedulerTickMs');
const tracer = trace.getTracer('coordinator');

/**
 * Held requests (deferred for a budget, a digest or a reminder's time) are decided again when
 * they come due, under the customer's lock, with their decisions published through the outbox —
 * a customer's requests due together in one go, by priority (see `CoordinatorService.decideDue`).
 */
@Injectable()
export class DueRequestsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: DueWorkLoop;

  constructor(
    clock: Clock,
    dataSource: DataSource,
    ledger: LedgerRepository,
    coordinator: CoordinatorService,
    publisher: EventPublisher,
    @Inject(SCHEDULER_TICK_MS) tickMs: number,
  ) {
    this.loop = new DueWorkLoop(
      'DueRequestsScheduler',
      dataSource,
      publisher,
      {
        // The next customer with a request due (one set aside after a failure is skipped).
        next: async (tx, now, skip) => (await ledger.dueRequests(tx, now, 1, skip))[0]?.customer_id,
        handle: (tx, customerId, now) =>
          tracer.startActiveSpan(
            'decide due requests',
            { kind: SpanKind.INTERNAL, attributes: { 'onevoice.customer_id': customerId } },
            async (span) => {
              try {
                await ledger.lockCustomer(tx, customerId);
                const session = new LedgerSession(tx, ledger);
                await session.load([customerId], now);
                // Every request of the customer due now, the most urgent first.
                const claimed = await ledger.claimDueOf(tx, customerId, now);
                const out = coordinator.decideDue(session, customerId, now, claimed);
                await session.flush();
                return out;
              } finally {
                span.end();
              }
            },
          ),
      },
      tickMs,
      clock,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
