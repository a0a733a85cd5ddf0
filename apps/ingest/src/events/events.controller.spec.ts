import { ManualClock } from '@onevoice/clock';
import { EventPublisher, type Outbound } from '@onevoice/messaging';
import { DepartmentCredentials } from './credentials';
import { EventsController } from './events.controller';
import { everything, testCatalogue } from './catalogue.fixture';

const catalogue = testCatalogue;

const event = {
  specversion: '1.0',
  id: 'e-1',
  source: 'billing',
  type: 'billing.payment_due',
  subject: 'cust-1',
  data: { intentKey: 'bill:cust-1', action: { url: 'https://pay.example.test/' } },
};

/** A publisher that answers as told: at once, or never (a broker that is away). */
class ScriptedPublisher extends EventPublisher {
  published: Outbound[] = [];
  constructor(private readonly answer: 'ack' | 'never') {
    super();
  }
  publish(messages: readonly Outbound[]): Promise<void> {
    if (this.answer === 'never') return new Promise(() => undefined);
    this.published.push(...messages);
    return Promise.resolve();
  }
}

const controller = (publisher: EventPublisher, deadlineMs = 10_000) =>
  new EventsController(
    new ManualClock({ at: new Date('2026-11-23T10:00:00Z') }),
    new DepartmentCredentials({ 'token-of-billing': 'billing' }),
    publisher,
    catalogue,
    everything,
    { httpActions: false },
    deadlineMs,
  );

describe('POST /v1/events: waiting for Kafka', () => {
  it('answers once Kafka has acknowledged the events', async () => {
    const publisher = new ScriptedPublisher('ack');
    await expect(controller(publisher).publish('Bearer token-of-billing', event)).resolves.toEqual({
      accepted: 1,
      ids: ['e-1'],
    });
    expect(publisher.published.map((m) => m.event.id)).toEqual(['e-1']);
  });

  it('gives up at the deadline with a retriable error (the caller gets 503), not after the producer’s retries', async () => {
    const started = Date.now();
    await expect(
      controller(new ScriptedPublisher('never'), 50).publish('Bearer token-of-billing', event),
    ).rejects.toMatchObject({
      retriable: true,
      message: 'Kafka did not acknowledge the events within 50 ms',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
