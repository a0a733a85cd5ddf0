import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type IntentCatalogue, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import type { SurveyPolicy } from '@onevoice/policy';
import { SURVEY_POLICY } from '../config/survey-policy.provider';
import { SurveyLedgerRepository } from '../ledger/survey-ledger.repository';
import { SurveyThrottlerService } from '../ledger/survey-throttler.service';
import { THROTTLER_INBOX } from '../survey-throttler.tokens';
import { toStoredSurvey } from './survey-request.mapper';
import { Clock } from '@onevoice/clock';

type SurveyRequestEvent = TopicEvent<typeof Topics.surveyRequests>;

/** Every survey request, from whichever department, passes the survey gate here. */
@Controller()
export class SurveyRequestsConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(THROTTLER_INBOX) private readonly inbox: IdempotentConsumer,
    @Inject(SURVEY_POLICY) private readonly policy: SurveyPolicy,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly ledger: SurveyLedgerRepository,
    private readonly throttler: SurveyThrottlerService,
  ) {}

  @EventPattern(Topics.surveyRequests)
  async onSurveyRequests(@Payload() batch: EventBatch<SurveyRequestEvent>): Promise<void> {
    const now = this.clock.now();
    const mapped = new Map(
      batch.messages.map((m) => [m, toStoredSurvey(m.event, this.policy, this.catalogue, now)]),
    );
    for (const [message, result] of mapped) if (!result.ok) batch.reject(message, result.rejection);
    await this.inbox.process(
      batch,
      async (tx, message) => {
        const result = mapped.get(message)!;
        if (!result.ok) return [];
        await this.ledger.lockCustomer(tx, result.survey.customerId);
        if (!(await this.ledger.insertSurvey(tx, result.survey))) return [];
        return this.throttler.evaluate(tx, result.survey.customerId, this.clock.now());
      },
      batch.messages.filter((m) => mapped.get(m)!.ok),
    );
  }
}
