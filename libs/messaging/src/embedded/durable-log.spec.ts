import { appendFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { DurableLog } from './durable-log';

const topics = ['t.one', 't.two'];
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ov-log-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const open = (partitions = 4) => DurableLog.open({ dir, partitions, topics });

describe('DurableLog', () => {
  it('puts a key on the partition Kafka’s default partitioner would', async () => {
    const log = open(6);
    const kafka = Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: 6 }, (_, i) => ({
      partitionId: i,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    const keys = Array.from({ length: 40 }, (_, i) => `cust-${i}`);
    const placed = await log.append(
      't.one',
      keys.map((key) => ({ key, value: key })),
    );
    placed.forEach((p, i) =>
      expect(p.partition).toBe(
        kafka({
          topic: 't.one',
          partitionMetadata: metadata,
          message: { key: keys[i]!, value: null },
        }),
      ),
    );
    expect(new Set(placed.map((p) => p.partition)).size).toBeGreaterThan(1);
    await log.close();
  });

  it('reads back what was appended, in order, and again after a restart', async () => {
    let log = open();
    await log.append('t.one', [
      { key: 'k', value: 'a', headers: { h: '1' }, partition: 2 },
      { key: null, value: null, partition: 2 },
      { key: 'k', value: Buffer.from([0xff, 0x00]), partition: 2 },
    ]);
    await log.commit('g', [{ topic: 't.one', partition: 2, offset: '2' }]);
    await log.close();
    log = open();
    const read = log.read('t.one', 2, 0n);
    expect(read.map((m) => m.offset)).toEqual(['0', '1', '2']);
    expect(read[0]!.value!.toString()).toBe('a');
    expect(read[0]!.headers!.h!.toString()).toBe('1');
    expect(read[1]!.key).toBeNull();
    expect(read[1]!.value).toBeNull();
    expect([...read[2]!.value!]).toEqual([0xff, 0x00]);
    expect(log.read('t.one', 2, 1n, 1).map((m) => m.offset)).toEqual(['1']);
    expect(log.end('t.one', 2)).toBe(3n);
    expect(log.committed('g', 't.one', 2)).toBe(2n);
    expect(log.committed('g', 't.one', 1)).toBeUndefined();
    await log.close();
  });

  it('cuts off a torn record at the end of a partition, and appends after it', async () => {
    let log = open();
    await log.append('t.two', [
      { value: 'first', partition: 0 },
      { value: 'second', partition: 0 },
    ]);
    await log.close();
    const file = join(dir, 't.two', '0.log');
    // A crash half-way through writing the second record.
    truncateSync(file, statSync(file).size - 3);
    log = open();
    expect(log.read('t.two', 0, 0n).map((m) => m.value!.toString())).toEqual(['first']);
    await log.append('t.two', [{ value: 'third', partition: 0 }]);
    expect(log.read('t.two', 0, 0n).map((m) => [m.offset, m.value!.toString()])).toEqual([
      ['0', 'first'],
      ['1', 'third'],
    ]);
    await log.close();
  });

  it('ignores a torn last offset commit', async () => {
    let log = open();
    await log.commit('g', [{ topic: 't.one', partition: 0, offset: '5' }]);
    await log.close();
    appendFileSync(join(dir, 'groups', 'g.offsets'), '["t.one",0,"9');
    log = open();
    expect(log.committed('g', 't.one', 0)).toBe(5n);
    await log.close();
  });

  it('wakes a reader waiting for the next record once it is on disk', async () => {
    const log = open();
    let woke = false;
    const waiting = log.waitFor('t.one', 1, 0n).then(() => (woke = true));
    expect(woke).toBe(false);
    await log.append('t.one', [{ value: 'x', partition: 1 }]);
    await waiting;
    expect(woke).toBe(true);
    await log.close();
  });

  it('refuses unknown topics, a partition out of range, and another partition count', async () => {
    const log = open();
    expect(() => log.appendNow('t.three', [{ value: 'x' }])).toThrow('unknown topic t.three');
    expect(() => log.appendNow('t.one', [{ value: 'x', partition: 4 }])).toThrow(
      'no partition 4 in t.one',
    );
    await log.close();
    expect(() => open(2)).toThrow('OV_PARTITIONS is 2');
  });
});
