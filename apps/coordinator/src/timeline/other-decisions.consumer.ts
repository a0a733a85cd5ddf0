import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch, HandlerExtras } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { DECISION_SOURCE, summarize } from '../ledger/coordinator.service';
import { LedgerRepository } from '../ledger/ledger.repository';
import { Clock } from '@onevoice/clock';

type Decision = TopicEvent<typeof Topics.decisions>;

/**
 * Decisions made before a request reached the coordinator — the survey gate's, say — go on the
 * customer's timeline too, with their reasons: the agent sees one story. The coordinator's own
 * decisions are on it already: the transport passes over them unread (`skipSources`).
 */
@Controller()
export class OtherDecisionsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly ledger: LedgerRepository,
  ) {}

  @EventPattern(Topics.decisions, { skipSources: [DECISION_SOURCE] } satisfies HandlerExtras)
  async onDecisions(@Payload() batch: EventBatch<Decision>): Promise<void> {
    await this.inbox.process(batch, async (tx, { event }) => {
      const d = event.data;
      await this.ledger.addTimeline(
        tx,
        event.subject,
        event.time ?? this.clock.now(),
        'decision',
        summarize(d.outcome, d, d.channel, d.reasons),
        {
          decisionId: d.decisionId,
          decidedBy: event.source,
          requestId: d.requestId,
          source: d.requestSource,
          outcome: d.outcome,
          channel: d.channel,
          deferredUntil: d.deferredUntil,
          reasons: d.reasons,
          policyVersion: d.policyVersion,
        },
      );
      return [];
    });
  }
}
