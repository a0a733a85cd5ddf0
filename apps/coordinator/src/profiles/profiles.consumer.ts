import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { LedgerRepository } from '../ledger/ledger.repository';

type ProfileEvent = TopicEvent<typeof Topics.profiles>;

/** The coordinator's own copy of each customer's profile (no service reads another's tables). */
@Controller()
export class ProfilesConsumer {
  constructor(
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly ledger: LedgerRepository,
  ) {}

  @EventPattern(Topics.profiles)
  async onProfiles(@Payload() batch: EventBatch<ProfileEvent>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }) => {
      await this.ledger.lockCustomer(tx, event.subject);
      await this.ledger.saveProfile(
        tx,
        { ...event.data, customerId: event.subject },
        new Date(event.time ?? Date.now()),
      );
      return [];
    });
  }
}
