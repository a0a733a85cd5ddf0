import { Clock } from '@onevoice/clock';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventPublisher } from '@onevoice/messaging';
import { DueWorkLoop } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import { SurveyLedgerRepository } from '../ledger/survey-ledger.repository';
import { SurveyThrottlerService } from '../ledger/survey-throttler.service';

export const SURVEY_TICK_MS = Symbol('SurveyTickMs');

/**
 * Held surveys (settling, waiting for a message to go out or for a day to pass) go through the
 * gate again when their time comes, under the customer's lock, published through the outbox.
 */
@Injectable()
export class HeldSurveysScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: DueWorkLoop;

  constructor(
    clock: Clock,
    dataSource: DataSource,
    ledger: SurveyLedgerRepository,
    throttler: SurveyThrottlerService,
    publisher: EventPublisher,
    @Inject(SURVEY_TICK_MS) tickMs: number,
  ) {
    this.loop = new DueWorkLoop(
      'HeldSurveysScheduler',
      dataSource,
      publisher,
      {
        next: (tx, now, skip) => ledger.dueCustomer(tx, now, skip),
        handle: async (tx, customerId, now) => {
          await ledger.lockCustomer(tx, customerId);
          return throttler.evaluate(tx, customerId, now);
        },
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
