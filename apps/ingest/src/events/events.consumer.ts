import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  Topics,
  type CloudEvent,
  type IntentCatalogue,
  type Permissions,
  type TopicEvent,
  type TopicName,
} from '@onevoice/contracts';
import { outbound, type EventBatch, type InboundMessage } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { validateDepartmentEvent } from './department-event.validator';
import { INGEST_INBOX, VALIDATION_OPTIONS, type ValidationOptions } from './events.tokens';
import { INTENT_CATALOGUE, PERMISSIONS } from '@onevoice/runtime';
import { Clock } from '@onevoice/clock';

type DepartmentEvent = TopicEvent<typeof Topics.events>;

/**
 * Routes every department event, whether produced straight to `ov.events.v1` or posted over
 * HTTP, to the topic of its kind, once per (source, id).
 */
@Controller()
export class EventsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(INGEST_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    @Inject(PERMISSIONS) private readonly permissions: Permissions,
    @Inject(VALIDATION_OPTIONS) private readonly validation: ValidationOptions,
  ) {}

  @EventPattern(Topics.events)
  async onEvents(@Payload() batch: EventBatch<DepartmentEvent>): Promise<void> {
    const now = this.clock.now();
    const routes = new Map<
      InboundMessage<DepartmentEvent>,
      { topic: TopicName; event: CloudEvent }
    >();
    for (const message of batch.messages) {
      const result = validateDepartmentEvent(
        message.event,
        this.catalogue,
        this.permissions,
        now,
        this.validation,
      );
      if (result.ok) routes.set(message, result);
      else batch.reject(message, result.rejection);
    }
    await this.inbox.process(
      batch,
      async (_tx, message) => {
        const route = routes.get(message)!;
        return [outbound(route.topic, route.event)];
      },
      [...routes.keys()],
    );
  }
}
