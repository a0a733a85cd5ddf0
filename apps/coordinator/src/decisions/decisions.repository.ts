import { Injectable } from '@nestjs/common';
import type { CloudEvent, DecisionData } from '@onevoice/contracts';
import type { EntityManager } from 'typeorm';

/** The coordinator's ledger of decisions; the only place that writes it. */
@Injectable()
export class DecisionsRepository {
  async record(tx: EntityManager, decision: CloudEvent<string, DecisionData>): Promise<void> {
    const d = decision.data;
    await tx.query(
      `INSERT INTO decisions
         (decision_id, request_id, request_source, customer_id, intent_type, intent_key,
          outcome, channel, reasons, policy_version, decided_at, event)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (decision_id) DO NOTHING`,
      [
        d.decisionId,
        d.requestId,
        d.requestSource,
        decision.subject,
        d.intentType,
        d.intentKey,
        d.outcome,
        d.channel ?? null,
        JSON.stringify(d.reasons),
        d.policyVersion,
        decision.time,
        JSON.stringify(decision),
      ],
    );
  }
}
