import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import { outbound, type EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { DecisionsRepository } from './decisions.repository';
import { COORDINATOR_INBOX } from './decisions.tokens';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import { decideOnDefaultChannel } from './first-decision';

type ContactRequestEvent = TopicEvent<typeof Topics.contactRequests>;

@Controller()
export class DecisionsConsumer {
  constructor(
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly decisions: DecisionsRepository,
  ) {}

  @EventPattern(Topics.contactRequests)
  async onContactRequests(@Payload() batch: EventBatch<ContactRequestEvent>): Promise<void> {
    const now = new Date();
    const decided = new Map(
      batch.messages.map((m) => [m, decideOnDefaultChannel(m.event, this.catalogue, now)]),
    );
    for (const [message, result] of decided)
      if (!result.ok) batch.reject(message, result.rejection);
    await this.inbox.process(
      batch,
      async (tx, message) => {
        const result = decided.get(message)!;
        if (!result.ok) return [];
        await this.decisions.record(tx, result.event);
        return [outbound(Topics.decisions, result.event)];
      },
      batch.messages.filter((m) => decided.get(m)!.ok),
    );
  }
}
