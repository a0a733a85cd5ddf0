import { DeadLetterHeaders, Topics } from '@onevoice/contracts';
import { readTopicRange } from '@onevoice/messaging';
import type { Kafka } from 'kafkajs';
import type { Input } from './load';

/** Where each topic stood when the run began: the checker reads from there. */
export type Starts = Record<string, { partition: number; offset: string }[]>;

export interface Envelope {
  id?: string;
  type?: string;
  subject?: string;
  data?: Record<string, unknown>;
}

export interface DeadLetter {
  key: string;
  reason: string;
  sourceTopic: string;
  consumer: string;
  /** The original event's id, when its bytes parse. */
  id?: string;
}

/** The provider simulator's record of the calls it received. */
export interface ProviderAttempt {
  idempotencyKey?: string;
  outcome: 'accepted' | 'duplicate' | 'conflict' | 'refused';
}

export interface Verdict {
  inputs: {
    total: number;
    valid: number;
    invalid: number;
    overHttp: number;
    overKafka: number;
    /** Valid ones ingest answered with a 4xx over HTTP, by status (they end there). */
    refusedOverHttp: Record<string, number>;
  };
  /** Each valid input's outcome: its last decision, or where ingest put it. */
  outcomes: Record<string, number>;
  lostInputs: number;
  /** Provider calls beyond the first for one delivery that the provider took. */
  duplicateSends: number;
  /** Decisions whose customer got more than one message (on any channels). */
  duplicateMessagesPerIntent: number;
  validInputsDeadLettered: number;
  /** Invalid inputs sent over Kafka that are not in the DLQ. */
  invalidNotDeadLettered: number;
  /** Invalid inputs sent over HTTP that were answered other than 4xx. */
  invalidAcceptedOverHttp: number;
  /** Approved decisions with no delivery at all, that the dispatchers had reached. */
  approvedWithoutDelivery: number;
  /** Approved decisions made as the run ended, that the dispatchers had not reached yet. */
  approvedOnTheirWay: number;
  /** Hostile inputs sent over Kafka that are not in the DLQ with a reason. */
  hostileNotDeadLettered: number;
  /** Deliveries by their last state when the run was over. */
  deliveries: Record<string, number>;
  deadLetters: { total: number; byReason: Record<string, number> };
  /** Up to 10 of each kind of defect, to start from. */
  examples: Record<string, string[]>;
}

/**
 * Reads what the run left on the topics (from `starts`) and the provider's record, and checks
 * DESIGN's invariants against every input.
 */
export async function check(
  kafka: Kafka,
  starts: Starts,
  inputs: readonly Input[],
  attempts: readonly ProviderAttempt[],
  /** Survey requests the survey gate holds, not yet announced: held, with its reason. */
  heldSurveys: ReadonlySet<string> = new Set(),
  /** Hostile inputs sent onto ov.events.v1 (`--fuzz`), by key: each must be dead-lettered. */
  hostileOverKafka: readonly { key: string; kind: string }[] = [],
  /** The dispatchers' consumer group: decisions past its committed offsets are still on their way. */
  dispatcherGroup?: string,
): Promise<Verdict> {
  const read = (topic: string) =>
    readTopicRange<Envelope | null>(kafka, topic, { from: starts[topic] ?? [] });
  // Where the dispatchers stood before their deliveries are read: a decision past that (one the
  // coordinator made as the run ended: a hold that came due) has had no chance to be carried out.
  const reached = new Map<number, bigint>();
  if (dispatcherGroup) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const { partitions } of await admin.fetchOffsets({
        groupId: dispatcherGroup,
        topics: [Topics.decisions],
      }))
        for (const p of partitions) reached.set(p.partition, BigInt(p.offset));
    } finally {
      await admin.disconnect();
    }
  }
  const decisionsAt = await readTopicRange(kafka, Topics.decisions, {
    from: starts[Topics.decisions] ?? [],
    map: (m, partition) => ({
      envelope: parseEnvelope(m.value),
      onTheirWay:
        dispatcherGroup !== undefined && BigInt(m.offset) >= (reached.get(partition) ?? 0n),
    }),
  });
  const decisions = decisionsAt.map((d) => d.envelope);
  const notYetCarriedOut = new Set(
    decisionsAt.flatMap((d) =>
      d.onTheirWay && typeof d.envelope?.data?.decisionId === 'string'
        ? [d.envelope.data.decisionId]
        : [],
    ),
  );
  const [deliveries, interactions, preferences] = await Promise.all([
    read(Topics.deliveries),
    read(Topics.interactions),
    read(Topics.preferences),
  ]);
  const deadLetters = await readTopicRange<DeadLetter>(kafka, Topics.deadLetters, {
    from: starts[Topics.deadLetters] ?? [],
    map: (m) => {
      const header = (name: string) => m.headers?.[name]?.toString() ?? '';
      let id: string | undefined;
      try {
        id = (JSON.parse(m.value?.toString() ?? '') as Envelope).id;
      } catch {
        id = undefined;
      }
      return {
        key: m.key?.toString() ?? '',
        reason: header(DeadLetterHeaders.reason),
        sourceTopic: header(DeadLetterHeaders.sourceTopic),
        consumer: header(DeadLetterHeaders.consumer),
        ...(id ? { id } : {}),
      };
    },
  });
  return judge(
    { decisions, deliveries, interactions, preferences, deadLetters, notYetCarriedOut },
    inputs,
    attempts,
    heldSurveys,
    hostileOverKafka,
  );
}

/** What the run left behind, read back. */
export interface RunRecords {
  decisions: readonly (Envelope | null)[];
  deliveries: readonly (Envelope | null)[];
  interactions: readonly (Envelope | null)[];
  preferences: readonly (Envelope | null)[];
  deadLetters: readonly DeadLetter[];
  /** Approved decisions the dispatchers had not reached when the run ended. */
  notYetCarriedOut?: ReadonlySet<string>;
}

/** The invariants, checked against what the run left behind. Pure. */
export function judge(
  {
    decisions,
    deliveries,
    interactions,
    preferences,
    deadLetters,
    notYetCarriedOut = new Set(),
  }: RunRecords,
  inputs: readonly Input[],
  attempts: readonly ProviderAttempt[],
  heldSurveys: ReadonlySet<string> = new Set(),
  hostileOverKafka: readonly { key: string; kind: string }[] = [],
): Verdict {
  const examples: Record<string, string[]> = {};
  const example = (kind: string, text: string) => {
    const list = (examples[kind] ??= []);
    if (list.length < 10) list.push(text);
  };

  // Each request's last word: its decisions in order, merged ones included.
  const outcomeOf = new Map<string, string>();
  const approved = new Map<string, string>();
  for (const d of decisions) {
    const data = d?.data as
      | { decisionId: string; requestId: string; outcome: string; mergedRequestIds?: string[] }
      | undefined;
    if (!data?.requestId) continue;
    outcomeOf.set(data.requestId, data.outcome);
    for (const merged of data.mergedRequestIds ?? []) outcomeOf.set(merged, 'merged');
    if (data.outcome === 'approved') approved.set(data.decisionId, data.requestId);
  }
  const routed = new Set([...interactions, ...preferences].flatMap((e) => (e?.id ? [e.id] : [])));

  const valid = inputs.filter((i) => !i.invalid);
  const outcomes: Record<string, number> = {};
  let lost = 0;
  for (const input of valid) {
    if (input.via === 'http' && input.status !== undefined && input.status >= 400) {
      bump(outcomes, `refused ${input.status}`);
      continue;
    }
    const isRequest =
      input.type.includes('.') && !/^(interaction|case|preference)\./.test(input.type);
    const outcome = isRequest
      ? (outcomeOf.get(input.id) ??
        (heldSurveys.has(input.id) ? 'held by the survey gate' : undefined))
      : routed.has(input.id)
        ? 'recorded'
        : undefined;
    if (outcome) bump(outcomes, outcome);
    else {
      lost++;
      example('lostInputs', `${input.id} ${input.type} ${input.subject} via ${input.via}`);
    }
  }

  // Deliveries: last state of each, and what the customer saw of each decision.
  const lastState = new Map<string, string>();
  const decisionOf = new Map<string, string>();
  const visible = new Map<string, Set<string>>();
  const see = (decisionId: string, deliveryId: string) => {
    const seen = visible.get(decisionId) ?? new Set<string>();
    seen.add(deliveryId);
    visible.set(decisionId, seen);
  };
  for (const e of deliveries) {
    const data = e?.data as { deliveryId: string; decisionId: string; state: string } | undefined;
    if (!data?.deliveryId) continue;
    decisionOf.set(data.deliveryId, data.decisionId);
    if (data.state !== 'opened' && data.state !== 'clicked' && data.state !== 'replied')
      lastState.set(data.deliveryId, data.state);
    if (data.state === 'sent' || data.state === 'delivered') see(data.decisionId, data.deliveryId);
  }
  const taken = new Map<string, number>();
  for (const a of attempts)
    if (a.idempotencyKey && (a.outcome === 'accepted' || a.outcome === 'duplicate'))
      taken.set(a.idempotencyKey, (taken.get(a.idempotencyKey) ?? 0) + 1);
  let duplicateSends = 0;
  for (const [key, calls] of taken) {
    if (calls > 1) {
      duplicateSends += calls - 1;
      example('duplicateSends', `delivery ${key}: ${calls} calls the provider took`);
    }
    const decision = decisionOf.get(key);
    if (decision) see(decision, key);
  }
  let duplicateMessagesPerIntent = 0;
  for (const [decision, seen] of visible)
    if (seen.size > 1) {
      duplicateMessagesPerIntent++;
      example(
        'duplicateMessagesPerIntent',
        `decision ${decision}: deliveries ${[...seen].join(', ')}`,
      );
    }
  const delivered = new Set(decisionOf.values());
  let approvedWithoutDelivery = 0;
  let onTheirWay = 0;
  for (const [decisionId, requestId] of approved)
    if (!delivered.has(decisionId) && notYetCarriedOut.has(decisionId)) onTheirWay++;
    else if (!delivered.has(decisionId)) {
      approvedWithoutDelivery++;
      example('approvedWithoutDelivery', `decision ${decisionId} (request ${requestId})`);
    }

  // Dead letters: none of a valid input, and every invalid one sent over Kafka.
  const validIds = new Set(valid.map((i) => i.id));
  const byReason: Record<string, number> = {};
  const deadIds = new Set<string>();
  let validInputsDeadLettered = 0;
  for (const d of deadLetters) {
    bump(byReason, `${d.sourceTopic}: ${d.reason.replace(/"[^"]*"/g, '"…"').slice(0, 120)}`);
    if (d.id) deadIds.add(d.id);
    // Only ingest's own input topic may hold invalid messages; anything else OneVoice wrote.
    if ((d.id && validIds.has(d.id)) || d.sourceTopic !== Topics.events) {
      validInputsDeadLettered++;
      example('validInputsDeadLettered', `${d.id ?? '(no id)'} from ${d.sourceTopic}: ${d.reason}`);
    }
  }
  const invalid = inputs.filter((i) => i.invalid);
  let invalidNotDeadLettered = 0;
  let invalidAcceptedOverHttp = 0;
  for (const input of invalid) {
    if (input.via === 'kafka' && input.invalid !== 'truncated JSON' && !deadIds.has(input.id)) {
      invalidNotDeadLettered++;
      example('invalidNotDeadLettered', `${input.id} (${input.invalid})`);
    }
    if (
      input.via === 'http' &&
      !(input.status !== undefined && input.status >= 400 && input.status < 500)
    ) {
      invalidAcceptedOverHttp++;
      example('invalidAcceptedOverHttp', `${input.id} (${input.invalid}): ${input.status}`);
    }
  }
  // A truncated value has no id to find it by: counted instead.
  const truncatedSent = invalid.filter(
    (i) => i.via === 'kafka' && i.invalid === 'truncated JSON',
  ).length;
  const truncatedDead = deadLetters.filter(
    (d) => !d.id && d.sourceTopic === Topics.events && !d.key.startsWith('fuzz-'),
  ).length;
  if (truncatedDead < truncatedSent) {
    invalidNotDeadLettered += truncatedSent - truncatedDead;
    example('invalidNotDeadLettered', `${truncatedSent - truncatedDead} truncated values`);
  }

  const deadByKey = new Map(deadLetters.map((d) => [d.key, d]));
  let hostileNotDeadLettered = 0;
  for (const h of hostileOverKafka) {
    const dead = deadByKey.get(h.key);
    if (!dead?.reason) {
      hostileNotDeadLettered++;
      example('hostileNotDeadLettered', `${h.key} (${h.kind})${dead ? ': no reason' : ''}`);
    }
  }

  const deliveryStates: Record<string, number> = {};
  for (const state of lastState.values()) bump(deliveryStates, state);
  return {
    inputs: {
      total: inputs.length,
      valid: valid.length,
      invalid: invalid.length,
      overHttp: inputs.filter((i) => i.via === 'http').length,
      overKafka: inputs.filter((i) => i.via === 'kafka').length,
      refusedOverHttp: Object.fromEntries(
        Object.entries(outcomes)
          .filter(([k]) => k.startsWith('refused '))
          .map(([k, v]) => [k.slice(8), v]),
      ),
    },
    outcomes,
    lostInputs: lost,
    duplicateSends,
    duplicateMessagesPerIntent,
    validInputsDeadLettered,
    invalidNotDeadLettered,
    invalidAcceptedOverHttp,
    approvedWithoutDelivery,
    approvedOnTheirWay: onTheirWay,
    hostileNotDeadLettered,
    deliveries: deliveryStates,
    deadLetters: { total: deadLetters.length, byReason },
    examples,
  };
}

function parseEnvelope(value: Buffer | null): Envelope | null {
  try {
    return JSON.parse(value?.toString() ?? '') as Envelope;
  } catch {
    return null;
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
