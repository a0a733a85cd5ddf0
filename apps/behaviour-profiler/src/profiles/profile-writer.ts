import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventPublisher } from '@onevoice/messaging';
import { Outbox } from '@onevoice/persistence';
import { DataSource } from 'typeorm';
import type { ConsentEntry } from '@onevoice/policy';
import { ProfileRepository, type CustomerRow } from './profile.repository';
import { ProfileService } from './profile.service';
import { Clock } from '@onevoice/clock';

/**
 * Changes made over HTTP (an agent, the preference centre, a one-click unsubscribe): the change,
 * its consent ledger lines and the new profile are written in one transaction, the profile
 * through the outbox, and published once it commits — or by the next pass if the broker is away.
 */
@Injectable()
export class ProfileWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProfileWriter.name);
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly repo: ProfileRepository,
    private readonly profiles: ProfileService,
    publisher: EventPublisher,
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  async change(
    customerId: string,
    mutate: (row: CustomerRow) => ConsentEntry[],
  ): Promise<CustomerRow> {
    const now = this.clock.now();
    const row = await this.dataSource.transaction(async (tx) => {
      const loaded = (await this.repo.lockAndLoad(tx, [customerId])).get(customerId)!;
      const entries = mutate(loaded).map((e) => ({ ...e, customerId }));
      await this.outbox.enqueue(tx, this.profiles.publishIfChanged(loaded, now));
      await this.repo.save(tx, [loaded], entries, now);
      return loaded;
    });
    await this.flush();
    return row;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), 2_000);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async flush(): Promise<void> {
    try {
      await this.outbox.flush();
    } catch (err) {
      this.logger.warn({
        msg: 'publishing profiles failed; the next pass retries',
        error: String(err),
      });
    }
  }
}
