import { newCustomerId, paymentDue, postEvents, testStack } from '@onevoice/testing';

describe('bad input over HTTP gets a 4xx naming the field or the reason', () => {
  const stack = testStack();
  const ingest = stack.services.ingest;

  it('malformed JSON → 400 malformed_json', async () => {
    const res = await postEvents(ingest, undefined, { raw: '{"specversion": "1.0",' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'malformed_json', field: '(body)' });
  });

  it('a body that is not JSON by its content type → 415 naming the header', async () => {
    const res = await fetch(`${ingest}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-billing', 'content-type': 'text/plain' },
      body: JSON.stringify(paymentDue(newCustomerId())),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      error: 'unsupported_media_type',
      field: 'Content-Type',
    });
  });

  it('JSON that is not an event → 400', async () => {
    const res = await postEvents(ingest, 'just a string');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_event', field: '(body)' });
  });

  it('a missing required field → 400 naming it', async () => {
    const event = paymentDue(newCustomerId());
    delete (event.data as Record<string, unknown>).intentKey;
    const res = await postEvents(ingest, event);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_event', field: 'data.intentKey' });
  });

  it('a missing envelope field → 400 naming it', async () => {
    const { subject: _subject, ...event } = paymentDue(newCustomerId());
    const res = await postEvents(ingest, event);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_event', field: 'subject' });
  });

  it('an unknown event type → 400 naming the type', async () => {
    const res = await postEvents(
      ingest,
      paymentDue(newCustomerId(), { type: 'billing.guess_what' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'unknown_event_type', field: 'type' });
    expect(String(res.body.message)).toContain('billing.guess_what');
  });

  it('a bad event inside a batch → 400 naming its index, and nothing of the batch is accepted', async () => {
    const good = paymentDue(newCustomerId());
    const bad = paymentDue(newCustomerId(), { type: 'nope.nope' });
    const res = await postEvents(ingest, [good, bad]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: '[1].type' });
  });

  it('no credential → 401', async () => {
    const res = await postEvents(ingest, paymentDue(newCustomerId()), { token: null });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'missing_credential', field: 'Authorization' });
  });

  it('a wrong credential → 401', async () => {
    const res = await postEvents(ingest, paymentDue(newCustomerId()), { token: 'dev-nobody' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_credential' });
  });

  it("a source that is not the credential's department → 403", async () => {
    const res = await postEvents(ingest, paymentDue(newCustomerId(), { source: 'loyalty' }), {
      token: 'dev-billing',
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'source_mismatch', field: 'source' });
  });

  it('a valid event with the right credential → 202', async () => {
    const event = paymentDue(newCustomerId());
    const res = await postEvents(ingest, [event], { token: 'dev-billing' });
    expect(res).toEqual({ status: 202, body: { accepted: 1, ids: [event.id] } });
  });
});
