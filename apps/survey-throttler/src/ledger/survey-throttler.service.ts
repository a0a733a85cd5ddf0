import { Inject, Injectable } from '@nestjs/common';
import {
  cloudEvent,
  decisionEventType,
  Topics,
  type DecisionData,
  type IntentCatalogue,
} from '@onevoice/contracts';
import { outbound, type Outbound } from '@onevoice/messaging';
import { INTENT_CATALOGUE } from '@onevoice/runtime';
import type { EntityManager } from 'typeorm';
import { gateSurveys, type Reason, type SurveyPolicy, type SurveyVerdict } from '@onevoice/policy';
import { SURVEY_POLICY } from '../config/survey-policy.provider';
import {
  SurveyLedgerRepository,
  type StoredSurvey,
  type SurveyRow,
} from './survey-ledger.repository';

export const THROTTLER_SOURCE = 'onevoice/survey-throttler';

/**
 * Puts a customer's held surveys through the gate and records its word: an approved survey
 * becomes an ordinary contact request (the coordinator's rules still apply); a dropped one, and a
 * held one whose reason changed, becomes a decision on ov.decisions.v1, so the agent's timeline
 * says why. Callers hold the customer's lock and the transaction.
 */
@Injectable()
export class SurveyThrottlerService {
  constructor(
    @Inject(SURVEY_POLICY) private readonly policy: SurveyPolicy,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    private readonly ledger: SurveyLedgerRepository,
  ) {}

  async evaluate(tx: EntityManager, customerId: string, now: Date): Promise<Outbound[]> {
    const { ledger, rows } = await this.ledger.load(tx, customerId, now, this.policy.windowMs);
    const out: Outbound[] = [];
    for (const verdict of gateSurveys(ledger, this.policy, now)) {
      const row = rows.get(verdict.key)!;
      out.push(...(await this.apply(tx, row, verdict, now)));
    }
    return out;
  }

  private async apply(
    tx: EntityManager,
    row: SurveyRow,
    v: SurveyVerdict,
    now: Date,
  ): Promise<Outbound[]> {
    switch (v.outcome) {
      case 'approved':
        await this.ledger.setStatus(tx, row.request_key, {
          status: 'approved',
          decisionCount: row.decision_count,
          decidedAt: now,
        });
        return [this.contactRequest(row, v.channels, now)];
      case 'suppressed':
        await this.ledger.setStatus(tx, row.request_key, {
          status: 'suppressed',
          decisionCount: row.decision_count + 1,
          decidedAt: now,
        });
        return [this.decision(row, 'suppressed', v.reasons, now)];
      case 'held': {
        // Saying "held" once per reason is enough; waiting for competitors is not news.
        const announce = v.code !== 'settling' && v.code !== row.hold_code;
        await this.ledger.setStatus(tx, row.request_key, {
          status: 'held',
          holdUntil: v.until,
          holdCode: v.code,
          decisionCount: row.decision_count + (announce ? 1 : 0),
        });
        return announce ? [this.decision(row, 'deferred', v.reasons, now, v.until)] : [];
      }
    }
  }

  /** The approved survey as an ordinary contact request, on one channel where the gate chose it. */
  private contactRequest(row: SurveyRow, channels: string[] | undefined, now: Date): Outbound {
    const s = row.request;
    const content = this.content(s);
    return outbound(
      Topics.contactRequests,
      cloudEvent({
        id: s.requestId,
        source: s.source,
        type: content.intentType,
        subject: s.customerId,
        time: now,
        data: {
          intentKey: content.intentKey,
          variables: content.variables,
          action: content.action,
          expiresAt: s.expiresAt,
          ...(channels ? { channels } : {}),
        },
      }),
    );
  }

  private decision(
    row: SurveyRow,
    outcome: 'suppressed' | 'deferred',
    reasons: Reason[],
    now: Date,
    until?: Date,
  ): Outbound {
    const s = row.request;
    const content = this.content(s);
    const n = row.decision_count + 1;
    const decisionId = `survey-gate:${row.request_key}:${n}`;
    const data: DecisionData = {
      decisionId,
      requestId: s.requestId,
      requestSource: s.source,
      outcome,
      intentType: content.intentType,
      intentKey: content.intentKey,
      category: 'survey',
      urgency: this.catalogue.intents[content.intentType]?.urgency ?? 'low',
      ...(until ? { deferredUntil: until.toISOString() } : {}),
      mergedRequestIds: [],
      variables: content.variables,
      action: content.action,
      reasons,
      policyVersion: `survey-policy ${this.policy.version}`,
    };
    return outbound(
      Topics.decisions,
      cloudEvent({
        id: decisionId,
        source: THROTTLER_SOURCE,
        type: decisionEventType(outcome),
        subject: s.customerId,
        time: now,
        data,
      }),
    );
  }

  /** What the survey message says and links to: the department's own, else the policy's. */
  private content(s: StoredSurvey) {
    const type = this.policy.types[s.surveyType];
    const fill = (url: string) =>
      url
        .replaceAll('{surveyType}', encodeURIComponent(s.surveyType))
        .replaceAll('{interactionId}', encodeURIComponent(s.interactionId))
        .replaceAll('{customerId}', encodeURIComponent(s.customerId));
    return {
      intentType: s.intentType ?? type?.intent ?? 'survey.invite',
      intentKey: s.intentKey ?? `survey:${s.surveyType}:${s.interactionId}`,
      variables: {
        surveyType: s.surveyType,
        ...(type ? { topic: type.topic } : {}),
        ...s.variables,
      },
      action: s.action ?? (type ? { url: fill(type.actionUrl) } : { replyKeyword: 'SURVEY' }),
    };
  }
}
