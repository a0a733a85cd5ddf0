import { ManualClock } from '@onevoice/clock';
import type { EventPublisher, Outbound } from '@onevoice/messaging';
import type { DataSource } from 'typeorm';
import { CaptureAdapter } from '../channels/capture.adapter';
import type { ChannelAdapters } from '../channels/channel-adapter';
import type { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import type { DeliveryComposer } from './delivery-composer';
import { DeliverySender } from './delivery-sender';

/** A sender over a capture provider, with these deliveries and this publisher. */
function newSender(deliveries: DeliveriesRepository, publisher: EventPublisher): DeliverySender {
  const capture = new CaptureAdapter();
  return new DeliverySender(
    new ManualClock({ at: new Date('2026-11-23T10:00:00Z') }),
    { for: () => capture } as ChannelAdapters,
    {
      maxAttempts: 3,
      retryBaseMs: 10,
      leaseMs: 60_000,
      lookupDelayMs: 30_000,
      breakerThreshold: 5,
      breakerCoolDownMs: 1_000,
    },
    deliveries,
    {} as DeliveryComposer,
    { manager: {} } as unknown as DataSource,
    publisher,
  );
}

/** Delivery number `n`, an email bill claimed once, as the table holds it. */
const deliveryRow = (n: number): DeliveryRow => ({
  delivery_id: `d-${n}`,
  decision_id: `decision-${n}`,
  request_id: `r-${n}`,
  intent_type: 'billing.payment_due',
  intent_key: `bill-${n}`,
  customer_id: `cust-${n}`,
  channel: 'email',
  provider: 'capture',
  subject: 'Your bill',
  body: 'Please pay.',
  send_before: null,
  attempts: 1,
  list_unsubscribe: null,
  traceparent: null,
  tracking_pixel: null,
  fallback: null,
  content: null,
  priority: 2,
  maybe_taken: false,
});

/**
 * How a batch that went through is settled: its "sent" events published, then its rows recorded
 * sent with no outbox rows; if the broker refuses the events, the rows are recorded with them in
 * the outbox. (The table and broker sides are covered by the dispatcher's integration specs.)
 */
describe('a sent batch: announced, then recorded', () => {
  function sender(
    publish: (events: Outbound[]) => Promise<void>,
    lost: (id: string) => boolean = () => false,
  ) {
    const order: string[] = [];
    const marked: { ids: string[]; outboxEvents: number }[] = [];
    const asked: number[] = [];
    const released: string[] = [];
    const deliveries = {
      // Nobody in these specs has refused anything.
      refusalsOf: () => Promise.resolve(new Map()),
      // Before each slice: which claims this sender still holds early in their lease (`lost`: not).
      stillHeld: (_db: unknown, claims: { deliveryId: string }[]) => {
        asked.push(claims.length);
        return Promise.resolve(new Set(claims.map((c) => c.deliveryId).filter((id) => !lost(id))));
      },
      releaseClaims: (_db: unknown, claims: { deliveryId: string }[]) => {
        released.push(...claims.map((c) => c.deliveryId));
        return Promise.resolve(claims.length);
      },
      markSentMany: (_tx: unknown, sent: { deliveryId: string }[], events: Outbound[]) => {
        order.push('recorded');
        marked.push({ ids: sent.map((s) => s.deliveryId), outboxEvents: events.length });
        return Promise.resolve(events.map((_, i) => String(i)));
      },
    } as unknown as DeliveriesRepository;
    const publisher = {
      publish: async (events: Outbound[]) => {
        order.push('published');
        await publish(events);
      },
    } as unknown as EventPublisher;
    const s = newSender(deliveries, publisher);
    return { s, order, marked, asked, released };
  }

  it('asks before each slice whether it still holds the claims, and sends only those', async () => {
    // d-3 is past half its lease (or was taken over by another instance's recovery).
    const { s, marked, asked, released } = sender(
      () => Promise.resolve(),
      (id) => id === 'd-3',
    );
    const now = new Date();
    s.handOver([1, 2, 3, 4, 5].map(deliveryRow), now);
    expect(await s.sendDue(now, 100, 2)).toBe(5);
    await s.drain();
    // Three slices of at most 2, each asked about just before it started.
    expect(asked).toEqual([2, 2, 1]);
    expect(marked).toEqual([{ ids: ['d-1', 'd-2', 'd-4', 'd-5'], outboxEvents: 0 }]);
    // Put back in the schedule, if still this sender's: never called, nothing ambiguous.
    expect(released).toEqual(['d-3']);
  });

  it('publishes the events first and records the rows without outbox rows', async () => {
    const published: string[] = [];
    const { s, order, marked } = sender((events) => {
      published.push(...events.map((e) => `${e.event.type} ${e.event.id}`));
      return Promise.resolve();
    });
    const now = new Date();
    s.handOver([deliveryRow(1), deliveryRow(2)], now);
    expect(await s.sendDue(now)).toBe(2);
    await s.drain();
    // One id per delivery sent, whatever the attempt: announced again, it is the same event.
    expect(published).toEqual(['ov.delivery.sent d-1:sent', 'ov.delivery.sent d-2:sent']);
    expect(order).toEqual(['published', 'recorded']);
    expect(marked).toEqual([{ ids: ['d-1', 'd-2'], outboxEvents: 0 }]);
  });

  it('keeps the events in the outbox when the broker refuses them', async () => {
    const { s, order, marked } = sender(() => Promise.reject(new Error('broker away')));
    const now = new Date();
    s.handOver([deliveryRow(3)], now);
    await s.sendDue(now);
    await s.drain();
    expect(order).toEqual(['published', 'recorded']);
    expect(marked).toEqual([{ ids: ['d-3'], outboxEvents: 1 }]);
  });
});

/**
 * A call that failed, or timed out, while the provider's own report (delivered) came in: the
 * sender's failure is not acted on — no retry, no "failed", no fallback to a second channel.
 */
describe('a failed call whose delivery the provider settled meanwhile', () => {
  // Its third attempt, by SMS, with no subject.
  const row: DeliveryRow = {
    ...deliveryRow(9),
    channel: 'sms',
    subject: null as unknown as string,
    attempts: 3,
  };

  function sender(stillHeld: boolean, providerSaid = 'failed') {
    const calls: string[] = [];
    const step = (name: string) => () => {
      calls.push(name);
      return Promise.resolve(stillHeld);
    };
    const deliveries = {
      markFailed: step('failed'),
      retryAt: step('retry'),
      markUncertain: step('uncertain'),
      stateOf: () => Promise.resolve(providerSaid),
    } as unknown as DeliveriesRepository;
    const s = newSender(deliveries, {
      publish: () => Promise.resolve(),
    } as unknown as EventPublisher);
    const fellBack: string[] = [];
    (s as unknown as { fallBack: () => Promise<Outbound[]> }).fallBack = () => {
      fellBack.push('fallback');
      return Promise.resolve([]);
    };
    const settle = (kind: 'transient' | 'permanent' | 'ambiguous', attempts = 3) =>
      (
        s as unknown as {
          settle(tx: unknown, r: DeliveryRow, k: string, now: Date, m: string): Promise<Outbound[]>;
        }
      ).settle({}, { ...row, attempts }, kind, new Date('2026-11-23T10:00:00Z'), 'boom');
    return { settle, calls, fellBack };
  }

  it('retries, resends and falls back nowhere once the provider reported it', async () => {
    const { settle, calls, fellBack } = sender(false);
    await expect(settle('permanent')).resolves.toEqual([]);
    await expect(settle('ambiguous')).resolves.toEqual([]);
    await expect(settle('transient', 1)).resolves.toEqual([]);
    expect(calls).toEqual(['failed', 'uncertain', 'retry']);
    expect(fellBack).toEqual([]);
  });

  it('announces it sent, once, when the provider reported it delivered during the call', async () => {
    const { settle, fellBack } = sender(false, 'delivered');
    const out = await settle('ambiguous');
    expect(out.map((o) => [o.event.type, o.event.id])).toEqual([['ov.delivery.sent', 'd-9:sent']]);
    expect(fellBack).toEqual([]);
  });

  it('still held by the sender: failed and offered to the fallback, or left uncertain', async () => {
    const { settle, fellBack } = sender(true);
    const failed = await settle('permanent');
    expect(failed.map((o) => o.event.type)).toEqual(['ov.delivery.failed']);
    expect(fellBack).toEqual(['fallback']);
    expect((await settle('ambiguous')).map((o) => o.event.type)).toEqual(['ov.delivery.uncertain']);
  });
});
