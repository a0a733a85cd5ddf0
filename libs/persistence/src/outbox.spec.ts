import type { EventPublisher, Outbound } from '@onevoice/messaging';
import type { DataSource } from 'typeorm';
import { Outbox } from './outbox';

/** An outbox over rows in memory; the broker refuses what `refuses` says. */
function outboxOver(keys: string[], refuses: (m: Outbound) => Error | undefined) {
  let rows = keys.map((key, i) => ({
    id: String(i + 1),
    topic: 'ov.decisions.v1',
    key,
    event: { id: `e-${i + 1}` },
    headers: {},
  }));
  const published: string[] = [];
  const tx = {
    query: (sql: string, params: unknown[]) => {
      if (sql.startsWith('SELECT')) {
        const aside = params[2] as string[];
        return Promise.resolve(rows.filter((r) => !aside.includes(r.id)));
      }
      const ids = params[0] as string[];
      rows = rows.filter((r) => !ids.includes(r.id));
      return Promise.resolve([]);
    },
  };
  const dataSource = {
    transaction: <T>(fn: (t: typeof tx) => Promise<T>) => fn(tx),
  } as unknown as DataSource;
  const publisher = {
    publish: (messages: Outbound[]) => {
      for (const m of messages) {
        const err = refuses(m);
        if (err) return Promise.reject(err);
      }
      published.push(...messages.map((m) => m.event.id));
      return Promise.resolve();
    },
  } as unknown as EventPublisher;
  return {
    outbox: new Outbox(dataSource, publisher),
    published,
    left: () => rows.map((r) => r.id),
  };
}

const tooLarge = Object.assign(new Error('The request included a message larger than the max'), {
  type: 'MESSAGE_TOO_LARGE',
});

describe('an outbox with one message the broker refuses', () => {
  it('publishes the rest, in order, and keeps that one and the later ones of its key', async () => {
    const { outbox, published, left } = outboxOver(['a', 'big', 'b', 'big', 'c'], (m) =>
      m.event.id === 'e-2' ? tooLarge : undefined,
    );
    await expect(outbox.flush()).resolves.toBe(3);
    expect(published).toEqual(['e-1', 'e-3', 'e-5']);
    // The refused row and the one behind it for the same customer wait.
    expect(left()).toEqual(['2', '4']);
    // Set aside: the next flush does not try it at once, and a message that may never go does
    // not hold its customer's later messages for ever.
    await expect(outbox.flush()).resolves.toBe(1);
    expect(published).toEqual(['e-1', 'e-3', 'e-5', 'e-4']);
    expect(left()).toEqual(['2']);
  });

  it('with the broker away, sends nothing and keeps everything for the next flush', async () => {
    const away = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    const { outbox, published, left } = outboxOver(['a', 'b'], () => away);
    await expect(outbox.flush()).rejects.toThrow('Connection error');
    expect(published).toEqual([]);
    expect(left()).toEqual(['1', '2']);
  });
});
