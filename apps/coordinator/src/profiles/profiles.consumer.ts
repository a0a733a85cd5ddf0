import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type ProfileData, type TopicEvent } from '@onevoice/contracts';
import type { EventBatch, InboundMessage } from '@onevoice/messaging';
import type { IdempotentConsumer } from '@onevoice/persistence';
import { COORDINATOR_INBOX } from '../decisions/decisions.tokens';
import { LedgerRepository } from '../ledger/ledger.repository';
import { refusesMore } from '@onevoice/policy';
import { CoordinatorService, refusalsOf } from '../ledger/coordinator.service';
import { LedgerSession } from '../ledger/ledger-session';
import { choicesChanged } from './choices';
import { Clock, eventTime } from '@onevoice/clock';

type ProfileEvent = TopicEvent<typeof Topics.profiles>;

/**
 * The coordinator's own copy of each customer's profile (no service reads another's tables), on
 * the customer's timeline what they said that changed, and what a refusal among it calls off.
 */
@Controller()
export class ProfilesConsumer {
  constructor(
    private readonly clock: Clock,
    @Inject(COORDINATOR_INBOX) private readonly inbox: IdempotentConsumer,
    private readonly ledger: LedgerRepository,
    private readonly coordinator: CoordinatorService,
  ) {}

  @EventPattern(Topics.profiles)
  async onProfiles(@Payload() batch: EventBatch<ProfileEvent>): Promise<void> {
    // The batch's profiles are kept together (one read, one write); then, message by message,
    // what each changed.
    const outcomes = new Map<
      InboundMessage<ProfileEvent>,
      { profile: ProfileData; at: Date; saved: boolean; previous?: ProfileData }
    >();
    await this.inbox.process(
      batch,
      async (tx, message) => {
        const { event } = message;
        const { profile, at, saved, previous } = outcomes.get(message)!;
        // What the customer said goes on the timeline (what their behaviour suggests does not):
        // an agent reading "opted out" there sees when.
        const changes = saved ? choicesChanged(previous, profile) : [];
        if (changes.length > 0)
          await this.ledger.addTimeline(
            tx,
            event.subject,
            at,
            'preferences',
            `The customer's choices changed: ${changes.join('; ')}.`,
            { profileVersion: profile.version, changes },
          );
        if (!saved) return [];
        const now = this.clock.now();
        if (!refusesMore(previous && refusalsOf(previous), refusalsOf(profile), now)) return [];
        // Refusal wins at every step: what the customer just refused and has not gone out yet
        // is decided again (an SMS waiting for 08:00 goes by email, or not at all).
        const session = new LedgerSession(tx, this.ledger);
        await session.load([event.subject], now, { heldDocuments: true });
        const out = this.coordinator.afterRefusal(session, event.subject, previous, profile, now);
        await session.flush();
        return out;
      },
      batch.messages,
      {
        prepare: async (tx, claimed) => {
          await this.ledger.lockCustomers(tx, [...new Set(claimed.map((m) => m.event.subject))]);
          const profiles = claimed.map(({ event }) => ({
            profile: { ...event.data, customerId: event.subject },
            at: eventTime(event.time, this.clock),
          }));
          const saved = await this.ledger.saveProfiles(tx, profiles);
          claimed.forEach((m, i) => outcomes.set(m, { ...profiles[i]!, ...saved[i]! }));
        },
      },
    );
  }
}
