import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { STAFF, type TestStack } from './stack';
import { testNow } from './test-clock';

/** A unique customer id per scenario, so specs sharing a broker never read each other's traffic. */
export const newCustomerId = (label = 'cust') => `${label}-${randomUUID().slice(0, 8)}`;

export interface DepartmentEventInput {
  type: string;
  source: string;
  subject: string;
  data: Record<string, unknown>;
  id?: string;
  /** When it happened; the services' now by default. */
  time?: Date;
}

export function departmentEvent(input: DepartmentEventInput) {
  return {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    subject: input.subject,
    time: (input.time ?? testNow()).toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
}

/** billing.payment_due, the seed stories' most common intent. */
export function paymentDue(customerId: string, overrides: Partial<DepartmentEventInput> = {}) {
  return departmentEvent({
    type: 'billing.payment_due',
    source: 'billing',
    subject: customerId,
    data: {
      intentKey: `bill:${customerId}:2026-12`,
      variables: { amount: '42.00 EUR', dueDate: '2026-12-01' },
      action: { url: `https://pay.example.test/${customerId}` },
    },
    ...overrides,
  });
}

/** POSTs to ingest's /v1/events and returns the status and parsed body. */
export async function postEvents(
  ingestUrl: string,
  body: unknown,
  { token = 'dev-billing', raw }: { token?: string | null; raw?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${ingestUrl}/v1/events`, {
    method: 'POST',
    headers,
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

/**
 * Produces raw values as another team's Kafka client would (kafkajs here; kcat in its own spec),
 * or, in the embedded mode, through the embedded log's `POST /v1/log/{topic}`.
 */
export async function produceRaw(
  where: TestStack | string[],
  topic: string,
  messages: {
    key: string;
    value: string | Buffer;
    headers?: Record<string, string>;
    /** A partition of its own choosing (default: by key), to put two keys in one order. */
    partition?: number;
  }[],
): Promise<void> {
  if (!Array.isArray(where) && where.bus === 'embedded') {
    const res = await fetch(`${where.services.onevoice}/v1/log/${topic}`, {
      method: 'POST',
      headers: { authorization: STAFF.ops, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: messages.map((m) => ({
          key: m.key,
          ...(typeof m.value === 'string'
            ? { value: m.value }
            : { valueBase64: m.value.toString('base64') }),
          headers: m.headers ?? {},
          ...(m.partition !== undefined ? { partition: m.partition } : {}),
        })),
      }),
    });
    if (!res.ok) throw new Error(`the embedded log refused: ${res.status} ${await res.text()}`);
    return;
  }
  const kafka = new Kafka({
    clientId: 'onevoice-test-producer',
    brokers: Array.isArray(where) ? where : where.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/**
 * An approved decision as the coordinator publishes it on ov.decisions.v1, to send now: what a
 * dispatcher-only spec or benchmark feeds the dispatcher directly.
 */
export function approvedDecision(
  customerId: string,
  message: {
    channel: string;
    intentType: string;
    category: string;
    urgency: string;
    variables: Record<string, unknown>;
    action: { url?: string; replyKeyword?: string };
    decisionId?: string;
  },
) {
  const { decisionId = `decision-${randomUUID()}`, ...rest } = message;
  return {
    specversion: '1.0',
    id: decisionId,
    source: 'onevoice/coordinator',
    type: 'ov.decision.approved',
    subject: customerId,
    time: testNow().toISOString(),
    datacontenttype: 'application/json',
    data: {
      decisionId,
      requestId: `r-${decisionId}`,
      requestSource: 'test',
      outcome: 'approved',
      intentKey: `${rest.intentType}:${customerId}:${decisionId}`,
      sendAfter: testNow().toISOString(),
      mergedRequestIds: [],
      reasons: [{ rule: 'channel-choice', code: 'preferred_channel', text: `By ${rest.channel}.` }],
      policyVersion: 'test',
      ...rest,
    },
  };
}

/**
 * A decision as the gate publishes it on ov.decisions.v1 — approved, by email, for a bill, unless
 * `over` says otherwise — for specs of the dispatcher on its own: the coordinator never saw its
 * request, so nothing but the dispatcher acts on it.
 */
export function gateDecision(customer: string, over: Record<string, unknown> = {}) {
  const decisionId = randomUUID().replace(/-/g, '');
  return {
    decisionId,
    event: {
      specversion: '1.0',
      id: decisionId,
      source: 'onevoice/coordinator',
      type: `ov.decision.${String(over.outcome ?? 'approved')}`,
      subject: customer,
      time: testNow().toISOString(),
      datacontenttype: 'application/json',
      data: {
        decisionId,
        requestId: `req-${decisionId}`,
        requestSource: 'billing',
        outcome: 'approved',
        intentType: 'billing.payment_due',
        intentKey: `bill:${customer}`,
        category: 'billing',
        urgency: 'high',
        channel: 'email',
        mergedRequestIds: [],
        variables: { amount: '1.00 EUR', dueDate: 'soon' },
        action: { url: 'https://pay.example.test/x' },
        reasons: [
          { rule: 'channel-choice', code: 'intent_default_channel', text: 'Made by the test.' },
        ],
        policyVersion: 'test',
        ...over,
      },
    },
  };
}
