import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@onevoice/clock';
import {
  cloudEvent,
  CUSTOMER_ERASED,
  ERASING_SERVICES,
  Topics,
  type ErasingService,
} from '@onevoice/contracts';
import { EventPublisher, outbound, tombstone } from '@onevoice/messaging';
import {
  ERASE_OUTBOX,
  ERASE_PROCESSED_OUTPUTS,
  eraseFrom,
  Outbox,
  type CustomerEraser,
} from '@onevoice/persistence';
import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PROFILER_LINKS } from '../profiler.tokens';
import { PROFILER_SOURCE } from '../profiles/profile.service';

/** What the consent ledger keeps of an erased customer: proof of consent, nothing else. */
const CONSENT_PROOF = `('consent_given', 'consent_withdrawn', 'opted_out', 'opted_in')`;

export interface ErasureStatus {
  erasureId: string;
  requestedAt: string;
  requestedBy: string;
  /** When each service confirmed; null: not yet. */
  services: Record<ErasingService, string | null>;
  done: boolean;
}

/**
 * Erasure, as the behaviour profiler runs it: it takes the request (recorded, and announced to
 * every service as `customer.erased`), erases what it holds itself like every other service, and
 * keeps track of the confirmations. The announcement goes through the service's outbox: published
 * at once, or by ProfileWriter's next pass over the same outbox if the broker is away.
 */
@Injectable()
export class ErasureService {
  private readonly outbox: Outbox;

  constructor(
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(PROFILER_LINKS) private readonly links: { secret: string },
  ) {
    this.outbox = new Outbox(dataSource, publisher);
  }

  /** The customer, as the records that outlive their erasure name them: a keyed hash of the id. */
  customerKey(customerId: string): string {
    return `erased:${createHmac('sha256', this.links.secret).update(customerId).digest('hex').slice(0, 40)}`;
  }

  /** Records the request and announces it, in one transaction; returns its id. */
  async request(customerId: string, agent: string): Promise<ErasureStatus> {
    const erasureId = randomUUID();
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO erasures (erasure_id, customer_key, requested_at, requested_by) VALUES ($1, $2, $3, $4)',
        [erasureId, this.customerKey(customerId), now, agent],
      );
      await this.outbox.enqueue(tx, [
        outbound(
          Topics.erasures,
          cloudEvent({
            id: erasureId,
            source: PROFILER_SOURCE,
            type: CUSTOMER_ERASED,
            subject: customerId,
            time: now,
            data: { erasureId, agent },
          }),
        ),
      ]);
    });
    await this.outbox.flush().catch(() => undefined); // ProfileWriter's next pass, else
    return (await this.status(erasureId))!;
  }

  async confirm(erasureId: string, service: ErasingService, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE erasures SET confirmed = confirmed || jsonb_build_object($2::text, $3::text)
        WHERE erasure_id = $1 AND NOT confirmed ? $2`,
      [erasureId, service, at.toISOString()],
    );
  }

  async status(erasureId: string): Promise<ErasureStatus | undefined> {
    const [row] = (await this.dataSource.query(
      'SELECT requested_at, requested_by, confirmed FROM erasures WHERE erasure_id = $1',
      [erasureId],
    )) as { requested_at: Date; requested_by: string; confirmed: Record<string, string> }[];
    if (!row) return undefined;
    const services = Object.fromEntries(
      ERASING_SERVICES.map((s) => [s, row.confirmed[s] ?? null]),
    ) as ErasureStatus['services'];
    return {
      erasureId,
      requestedAt: new Date(row.requested_at).toISOString(),
      requestedBy: row.requested_by,
      services,
      done: Object.values(services).every((at) => at !== null),
    };
  }

  /**
   * What the profiler removes: the customer's behaviour and choices; of the consent ledger, what
   * proves consent is kept in minimal form (the keyed hash, what, when, through what, the
   * wording), the rest goes; then the profile's tombstone on the compacted topic.
   */
  eraser(): CustomerEraser {
    return {
      service: 'behaviour-profiler',
      steps: [
        {
          what: 'consent_ledger (kept as proof of consent, the id replaced by a keyed hash)',
          sql: `UPDATE consent_ledger SET customer_id = $2, detail = NULL, stated_at = NULL
                 WHERE customer_id = $1 AND action IN ${CONSENT_PROOF}`,
          more: (customerId) => [this.customerKey(customerId)],
        },
        eraseFrom('consent_ledger'),
        eraseFrom('customers'),
        ERASE_OUTBOX,
        ERASE_PROCESSED_OUTPUTS,
      ],
      after: async (customerId) => {
        await this.publisher.publish([
          tombstone(
            Topics.profiles,
            cloudEvent({
              id: `tombstone:${customerId}`,
              source: PROFILER_SOURCE,
              type: 'ov.profile.tombstone',
              subject: customerId,
              time: this.clock.now(),
              data: {},
            }),
          ),
        ]);
        return { [`${Topics.profiles} tombstone`]: 1 };
      },
    };
  }
}
