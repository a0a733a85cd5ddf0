import { Topics } from '@onevoice/contracts';
import { validateDepartmentEvent } from './department-event.validator';
import { everything, shippedPermissions, testCatalogue } from './catalogue.fixture';

const catalogue = testCatalogue;
const now = new Date('2026-11-23T12:00:00Z');

const envelope = (
  type: string,
  data: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  specversion: '1.0',
  id: 'e-1',
  source: 'billing',
  subject: 'cust-1',
  type,
  data,
  ...extra,
});
const intent = { intentKey: 'bill:1', action: { url: 'https://pay.example.test' } };

describe('validateDepartmentEvent', () => {
  it.each([
    ['billing.payment_due', intent, Topics.contactRequests],
    ['interaction.inbound_contact', { channel: 'email', reason: 'roaming' }, Topics.interactions],
    [
      'interaction.payment',
      { channel: 'web', amount: 12.5, fulfils: 'bill:1' },
      Topics.interactions,
    ],
    ['case.opened', { caseId: 'k1', kind: 'collections' }, Topics.interactions],
    [
      'survey.requested',
      { surveyType: 'post-call', interactionId: 'call-9', channel: 'voice' },
      Topics.surveyRequests,
    ],
    // A survey intent sent as a contact intent passes the survey gate too.
    ['survey.invite', intent, Topics.surveyRequests],
    [
      'preference.changed',
      { preferredChannel: 'email', quietHours: { start: '21:00', end: '08:00' } },
      Topics.preferences,
    ],
  ])('routes %s to its topic', (type, data, topic) => {
    const result = validateDepartmentEvent(envelope(type, data), catalogue, everything, now);
    expect(result).toMatchObject({ ok: true, topic });
  });

  it('refuses a restriction to channels the catalogue never lets the intent use, naming data.channels', () => {
    const surveys = {
      ...catalogue,
      intents: {
        ...catalogue.intents,
        'survey.invite': { ...catalogue.intents['survey.invite']!, channels: ['email', 'sms'] },
      },
    } as typeof catalogue;
    const call = validateDepartmentEvent(
      envelope('survey.invite', { ...intent, channels: ['voice'] }),
      surveys,
      everything,
      now,
    );
    expect(call).toMatchObject({ ok: false, rejection: { field: 'data.channels' } });
    const text = validateDepartmentEvent(
      envelope('survey.invite', { ...intent, channels: ['voice', 'sms'] }),
      surveys,
      everything,
      now,
    );
    expect(text).toMatchObject({ ok: true });
  });

  it('takes only https: action URLs (http: where allowed), never a script or inline data', () => {
    const withUrl = (url: string, httpActions = false) =>
      validateDepartmentEvent(
        envelope('billing.payment_due', { ...intent, action: { url } }),
        catalogue,
        everything,
        now,
        { httpActions },
      );
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://pay.example.test/bill',
    ])
      expect(withUrl(url)).toMatchObject({ ok: false, rejection: { field: 'data.action.url' } });
    expect(withUrl('http://pay.example.test/bill')).toMatchObject({
      ok: false,
      rejection: { field: 'data.action.url', reason: expect.stringMatching(/must be https:/) },
    });
    expect(withUrl('http://pay.example.test/bill', true).ok).toBe(true);
    expect(withUrl('javascript:alert(1)', true).ok).toBe(false);
    expect(withUrl('https://pay.example.test/bill').ok).toBe(true);
  });

  it('refuses data nested thousands deep or hundreds of KiB large, naming data', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    const nested = validateDepartmentEvent(
      envelope('billing.payment_due', { ...intent, variables: { deep } }),
      catalogue,
      everything,
      now,
    );
    expect(nested).toMatchObject({
      ok: false,
      rejection: {
        field: 'data',
        reason: expect.stringMatching(/nests 5002 levels deep; at most 16/),
      },
    });
    const large = validateDepartmentEvent(
      envelope('billing.payment_due', { ...intent, variables: { blob: 'x'.repeat(900 * 1024) } }),
      catalogue,
      everything,
      now,
    );
    expect(large).toMatchObject({
      ok: false,
      rejection: {
        field: 'data',
        reason: expect.stringMatching(/data is 901 KiB; at most 64 KiB/),
      },
    });
  });

  it('fills in the time and content type when the sender left them out', () => {
    const result = validateDepartmentEvent(
      envelope('billing.payment_due', intent),
      catalogue,
      everything,
      now,
    );
    expect(result.ok && result.event).toMatchObject({
      time: now.toISOString(),
      datacontenttype: 'application/json',
    });
  });

  it('keeps the time the sender gave', () => {
    const time = '2026-11-20T08:00:00+01:00';
    const result = validateDepartmentEvent(
      envelope('billing.payment_due', intent, { time }),
      catalogue,
      everything,
      now,
    );
    expect(result.ok && result.event.time).toBe(time);
  });

  it('rejects a type that is neither catalogued nor a OneVoice event type, never guessing', () => {
    const result = validateDepartmentEvent(
      envelope('billing.payment_dew', intent),
      catalogue,
      everything,
      now,
    );
    expect(result).toMatchObject({ ok: false, rejection: { field: 'type' } });
    expect(!result.ok && result.rejection.reason).toContain('test-1');
  });

  it('rejects a source that is not a department', () => {
    const result = validateDepartmentEvent(
      envelope('billing.payment_due', intent, { source: 'eve' }),
      catalogue,
      everything,
      now,
    );
    expect(result).toMatchObject({ ok: false, rejection: { field: 'source' } });
  });

  it.each([
    [{ ...intent, intentKey: '' }, 'data.intentKey'],
    [{ intentKey: 'k' }, 'data.action'],
    [{ ...intent, action: {} }, 'data.action'],
    [{ ...intent, channels: ['pigeon'] }, 'data.channels.0'],
    [{ ...intent, expiresAt: 'tomorrow' }, 'data.expiresAt'],
  ])('names the data field at fault (%j)', (data, field) => {
    const result = validateDepartmentEvent(
      envelope('billing.payment_due', data),
      catalogue,
      everything,
      now,
    );
    expect(result).toMatchObject({ ok: false, rejection: { field } });
  });

  it('takes a payment’s amount as a number or a decimal string, and says what else it could be', () => {
    const payment = (amount: unknown) =>
      validateDepartmentEvent(
        envelope('interaction.payment', { channel: 'web', amount }),
        catalogue,
        everything,
        now,
      );
    for (const amount of [12.5, 0, '42.00', '7']) expect(payment(amount).ok).toBe(true);
    for (const [amount, message] of [
      ['42,00', 'must be a non-negative number or a decimal string such as "42.00"'],
      ['EUR 42', 'must be a non-negative number or a decimal string such as "42.00"'],
      [null, 'must be a non-negative number or a decimal string such as "42.00"'],
      [-3, 'must not be negative'],
      [undefined, 'is required'],
    ] as const) {
      expect(payment(amount)).toMatchObject({
        ok: false,
        rejection: { field: 'data.amount', reason: expect.stringContaining(message) },
      });
    }
  });

  it('rejects a preference change that changes nothing, and a made-up time zone', () => {
    expect(
      validateDepartmentEvent(envelope('preference.changed', {}), catalogue, everything, now).ok,
    ).toBe(false);
    const zone = validateDepartmentEvent(
      envelope('preference.changed', { timeZone: 'Mars/Olympus' }),
      catalogue,
      everything,
      now,
    );
    expect(zone).toMatchObject({ ok: false, rejection: { field: 'data.timeZone' } });
  });

  it.each([
    [{ specversion: '0.3' }, 'specversion'],
    [{ id: '' }, 'id'],
    [{ subject: 'has spaces' }, 'subject'],
    [{ time: 'yesterday' }, 'time'],
    [{ data: 'text' }, 'data'],
  ])('names the envelope field at fault (%j)', (override, field) => {
    const result = validateDepartmentEvent(
      { ...envelope('billing.payment_due', intent), ...override },
      catalogue,
      everything,
      now,
    );
    expect(result).toMatchObject({ ok: false, rejection: { field } });
  });
});

describe('who may speak for whom (config/permissions.yaml as shipped)', () => {
  const from = (source: string, type: string, data: Record<string, unknown>) =>
    validateDepartmentEvent(envelope(type, data, { source }), catalogue, shippedPermissions, now);

  it('a preference or consent change only from care and digital, refused for the rest naming the type', () => {
    const change = { optOut: [{ channel: 'sms' }] };
    expect(from('care', 'preference.changed', change).ok).toBe(true);
    expect(from('digital', 'preference.changed', change).ok).toBe(true);
    for (const department of ['billing', 'collections', 'loyalty', 'network', 'sales', 'surveys']) {
      const result = from(department, 'preference.changed', change);
      expect(result).toMatchObject({ ok: false, forbidden: true, rejection: { field: 'type' } });
      if (!result.ok)
        expect(result.rejection.reason).toContain(
          `"${department}" may not publish preference.changed`,
        );
    }
  });

  it('an SMS keyword only from the provider’s inbound path: STOP, START or HELP from any department is refused', () => {
    for (const text of ['STOP', 'start', 'Help', 'stop please'])
      expect(
        from('care', 'interaction.inbound_contact', { channel: 'sms', reason: 'reply', text }),
      ).toMatchObject({ ok: false, forbidden: true, rejection: { field: 'data.text' } });
    // Other words, and the same word on another channel, are ordinary contact.
    expect(
      from('care', 'interaction.inbound_contact', {
        channel: 'sms',
        reason: 'reply',
        text: 'thanks',
      }).ok,
    ).toBe(true);
    expect(
      from('care', 'interaction.inbound_contact', { channel: 'chat', reason: 'chat', text: 'stop' })
        .ok,
    ).toBe(true);
  });

  it('intents and other interactions stay open to every department by default', () => {
    expect(from('loyalty', 'billing.payment_due', intent).ok).toBe(true);
    expect(from('billing', 'interaction.fulfilled', { intentKey: 'bill:1' }).ok).toBe(true);
    expect(from('network', 'case.opened', { caseId: 'c-1', kind: 'outage' }).ok).toBe(true);
  });

  it('a department limited to some intents is refused the others', () => {
    const narrow = {
      ...shippedPermissions,
      departments: { ...shippedPermissions.departments, loyalty: { intents: ['loyalty.*'] } },
    };
    const result = validateDepartmentEvent(
      envelope('billing.payment_due', intent, { source: 'loyalty' }),
      catalogue,
      narrow,
      now,
    );
    expect(result).toMatchObject({ ok: false, forbidden: true, rejection: { field: 'type' } });
    if (!result.ok)
      expect(result.rejection.reason).toContain('may not publish "billing.payment_due"');
  });
});
