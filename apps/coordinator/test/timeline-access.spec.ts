import {
  newCustomerId,
  paymentDue,
  postEvents,
  testStack,
  waitFor,
  STAFF,
} from '@onevoice/testing';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

describe('GET /v1/customers/{id}/timeline', () => {
  const stack = testStack();
  const url = (customer: string, query = '') =>
    `${stack.services.coordinator}/v1/customers/${customer}/timeline${query}`;

  it('is for staff only: 401 without or with a wrong credential, naming the header', async () => {
    for (const headers of [{}, { authorization: 'Bearer dev-billing' }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(url('anyone'), { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ field: 'Authorization' });
    }
  });

  it('refuses a bad limit, naming it', async () => {
    const res = await fetch(url('anyone', '?limit=0'), {
      headers: { authorization: STAFF.ops },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_query', field: 'limit' });
  });

  it('tells a request, its decision with reasons, and its delivery, in order', async () => {
    const customer = newCustomerId('timeline');
    expect((await postEvents(stack.services.ingest, paymentDue(customer))).status).toBe(202);
    const entries = await waitFor('request, decision and delivery on the timeline', async () => {
      const res = await fetch(url(customer), { headers: { authorization: STAFF.ops } });
      const body = (await res.json()) as {
        entries: { at: string; kind: string; summary: string; detail: Record<string, unknown> }[];
      };
      const kinds = body.entries.map((e) => e.kind);
      return ['request', 'decision', 'delivery'].every((k) => kinds.includes(k))
        ? body.entries
        : undefined;
    });
    expect(entries.map((e) => e.kind).slice(0, 3)).toEqual(['request', 'decision', 'delivery']);
    const decision = entries.find((e) => e.kind === 'decision')!;
    expect(decision.detail).toMatchObject({
      outcome: 'approved',
      source: 'billing',
      policyVersion: expect.any(String),
    });
    expect((decision.detail.reasons as { text: string }[]).length).toBeGreaterThan(0);
    expect(decision.summary).toMatch(/billing.payment_due approved by/);
    const times = entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('tells what the customer said that changed, and when', async () => {
    const customer = newCustomerId('timeline-choices');
    const put = await fetch(
      `${stack.services['behaviour-profiler']}/v1/customers/${customer}/preferences`,
      {
        method: 'PUT',
        headers: { authorization: STAFF.ops, 'content-type': 'application/json' },
        body: JSON.stringify({
          preferredChannel: 'email',
          optOuts: [{ channel: 'voice' }],
          timeZone: 'Europe/Berlin',
          via: 'voice',
        }),
      },
    );
    expect(put.status).toBe(200);
    const entry = await waitFor('the choices on the timeline', async () => {
      const res = await fetch(url(customer), { headers: { authorization: STAFF.ops } });
      const body = (await res.json()) as {
        entries: { kind: string; summary: string; detail: { changes?: string[] } }[];
      };
      return body.entries.find((e) => e.kind === 'preferences');
    });
    expect(entry.summary).toBe(
      "The customer's choices changed: prefers email; opted out of voice; time zone Europe/Berlin.",
    );
    expect(entry.detail.changes).toEqual([
      'prefers email',
      'opted out of voice',
      'time zone Europe/Berlin',
    ]);
  });

  it('is documented in OpenAPI', () => {
    const doc = parse(
      readFileSync(resolve(__dirname, '../../../docs/openapi/coordinator.yaml'), 'utf8'),
    ) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/v1/customers/{customerId}/timeline');
  });
});
