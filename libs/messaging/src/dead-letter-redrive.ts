import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { readTopicRange } from './topic-range';

/** A record re-driven from the DLQ carries this header: `ov.dlq.v1/<partition>/<offset>`. */
export const REDRIVEN_FROM_HEADER = 'ov-redriven-from';

/** One dead letter, as `ov.dlq.v1` holds it. */
export interface DeadLetter {
  /** `<partition>:<offset>` on ov.dlq.v1: how the commands name it. */
  at: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The original bytes, untouched. */
  value: Buffer | null;
  /** The original headers, without the DLQ's own. */
  headers: Record<string, string>;
  reason: string;
  field?: string;
  sourceTopic: string;
  sourcePartition?: number;
  sourceOffset?: string;
  consumer: string;
  failedAt: string;
  /** The Kafka timestamp of the dead letter (ms since 1970). */
  timestamp: number;
}

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DeadLetterHeaders));

/** The dead letters on ov.dlq.v1, from `from` (a time; the start when absent) to its end. */
export async function readDeadLetters(
  kafka: Kafka,
  options: { from?: number; maxRecords?: number } = {},
): Promise<DeadLetter[]> {
  return readTopicRange<DeadLetter>(kafka, Topics.deadLetters, {
    ...options,
    map: (m, partition) => {
      const all = headerStrings(m.headers);
      const original = Object.fromEntries(
        Object.entries(all).filter(([name]) => !DLQ_HEADER_NAMES.has(name)),
      );
      const sourcePartition = all[DeadLetterHeaders.sourcePartition];
      return {
        at: `${partition}:${m.offset}`,
        partition,
        offset: m.offset,
        key: m.key?.toString() ?? null,
        value: m.value,
        headers: original,
        reason: all[DeadLetterHeaders.reason] ?? '',
        ...(all[DeadLetterHeaders.field] ? { field: all[DeadLetterHeaders.field] } : {}),
        sourceTopic: all[DeadLetterHeaders.sourceTopic] ?? '',
        ...(sourcePartition ? { sourcePartition: Number(sourcePartition) } : {}),
        ...(all[DeadLetterHeaders.sourceOffset]
          ? { sourceOffset: all[DeadLetterHeaders.sourceOffset] }
          : {}),
        consumer: all[DeadLetterHeaders.consumer] ?? '',
        failedAt: all[DeadLetterHeaders.failedAt] ?? '',
        timestamp: Number(m.timestamp),
      };
    },
  });
}

/** What a re-drive did: sent back, or found sent back already (by an earlier run). */
export interface RedriveResult {
  redriven: { at: string; topic: string }[];
  alreadyRedriven: { at: string; topic: string }[];
  /** Dead letters with no source topic to go back to (written by hand, or by another tool). */
  unknownSource: string[];
}

/**
 * Sends dead letters back to the topics they came from — the original key, bytes and headers,
 * plus `ov-redriven-from` — for the consumers that refused them to take them again once the
 * cause is fixed. Idempotent: a dead letter already re-driven (its marker found on its topic
 * since it failed) is not sent again, so an interrupted re-drive can simply be run again. The
 * consumers are idempotent by event id besides, so one that went back twice is taken once.
 */
export async function redrive(
  kafka: Kafka,
  producer: Pick<Producer, 'send'>,
  letters: readonly DeadLetter[],
): Promise<RedriveResult> {
  const result: RedriveResult = { redriven: [], alreadyRedriven: [], unknownSource: [] };
  const byTopic = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    if (!letter.sourceTopic || letter.sourceTopic === Topics.deadLetters)
      result.unknownSource.push(letter.at);
    else byTopic.set(letter.sourceTopic, [...(byTopic.get(letter.sourceTopic) ?? []), letter]);
  }
  for (const [topic, group] of byTopic) {
    const since = Math.min(...group.map((l) => l.timestamp));
    const marked = new Set(
      (
        await readTopicRange<string | undefined>(kafka, topic, {
          from: since,
          map: (m) => m.headers?.[REDRIVEN_FROM_HEADER]?.toString(),
        })
      ).filter((x): x is string => x !== undefined),
    );
    const due = group.filter((l) => !marked.has(marker(l)));
    for (const l of group)
      if (marked.has(marker(l))) result.alreadyRedriven.push({ at: l.at, topic });
    if (due.length === 0) continue;
    await producer.send({
      topic,
      acks: -1,
      messages: due.map((l) => ({
        key: l.key,
        value: l.value,
        headers: { ...l.headers, [REDRIVEN_FROM_HEADER]: marker(l) } as IHeaders,
      })),
    });
    result.redriven.push(...due.map((l) => ({ at: l.at, topic })));
  }
  return result;
}

function marker(letter: DeadLetter): string {
  return `${Topics.deadLetters}/${letter.partition}/${letter.offset}`;
}

/** Kafka headers as strings (the first value of each). */
export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
