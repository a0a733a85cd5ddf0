import { heldUntil, keywordRecorded, refusalOf } from './refusal';

describe('what the customer refused, at send time', () => {
  it('a channel opted out of refuses every message on it', () => {
    expect(refusalOf([{ channel: 'sms' }], { channel: 'sms', category: 'billing' })).toBe(
      'the customer opted out of sms',
    );
    expect(refusalOf([{ channel: 'sms' }], { channel: 'email', category: 'billing' })).toBe(
      undefined,
    );
  });

  it('a category opted out of refuses it on every channel', () => {
    expect(
      refusalOf([{ category: 'promotion' }], { channel: 'email', category: 'promotion' }),
    ).toBe('the customer opted out of promotion messages');
    expect(refusalOf([{ category: 'promotion' }], { channel: 'email', category: 'billing' })).toBe(
      undefined,
    );
    // A message whose category is unknown is not taken for one the customer refused.
    expect(refusalOf([{ category: 'promotion' }], { channel: 'email' })).toBeUndefined();
  });

  it('a channel for one category refuses only that pair', () => {
    const out = [{ channel: 'sms' as const, category: 'promotion' as const }];
    expect(refusalOf(out, { channel: 'sms', category: 'promotion' })).toBe(
      'the customer opted out of promotion messages by sms',
    );
    expect(refusalOf(out, { channel: 'sms', category: 'billing' })).toBeUndefined();
    expect(refusalOf(out, { channel: 'email', category: 'promotion' })).toBeUndefined();
  });

  it('an empty opt-out refuses nothing; the first that applies is named', () => {
    expect(refusalOf([{}], { channel: 'sms', category: 'billing' })).toBeUndefined();
    expect(
      refusalOf([{ channel: 'email' }, { category: 'billing' }, { channel: 'sms' }], {
        channel: 'sms',
        category: 'billing',
      }),
    ).toBe('the customer opted out of billing messages');
  });

  it('never the answer to the customer’s own STOP: carriers require that one text', () => {
    expect(refusalOf([{ channel: 'sms' }], { channel: 'sms', answersKeyword: true })).toBe(
      undefined,
    );
  });
});

describe('whether a STOP or START is recorded, to confirm it', () => {
  it('a STOP once texts are opted out altogether; a START once they are not', () => {
    expect(keywordRecorded('stop', [{ channel: 'sms' }])).toBe(true);
    expect(keywordRecorded('stop', [])).toBe(false);
    // Opted out of one kind of text, or of another channel, is not a STOP recorded.
    expect(keywordRecorded('stop', [{ channel: 'sms', category: 'promotion' }])).toBe(false);
    expect(keywordRecorded('stop', [{ channel: 'email' }, { category: 'survey' }])).toBe(false);
    expect(keywordRecorded('start', [{ channel: 'sms', category: 'promotion' }])).toBe(true);
    expect(keywordRecorded('start', [{ channel: 'sms' }])).toBe(false);
  });
});

describe('do-not-disturb at send time', () => {
  const now = new Date('2026-11-23T09:00:00Z');
  const later = new Date('2026-11-23T11:00:00Z');
  it('holds a message due inside it until it ends; not a critical one, nor a keyword’s answer', () => {
    expect(heldUntil(later, { urgency: 'high' }, now)).toEqual(later);
    expect(heldUntil(later, {}, now)).toEqual(later);
    expect(heldUntil(later, { urgency: 'critical' }, now)).toBeUndefined();
    expect(heldUntil(later, { urgency: 'low', answersKeyword: true }, now)).toBeUndefined();
    expect(heldUntil(now, { urgency: 'low' }, now)).toBeUndefined();
    expect(heldUntil(undefined, { urgency: 'low' }, now)).toBeUndefined();
  });
});
