import { composeDigest, renderTemplate, withPreferenceLinks } from './render';

describe('renderTemplate', () => {
  it('fills variables and the action link', () => {
    expect(
      renderTemplate(
        'Bill of {{amount}} due {{ dueDate }}. Pay: {{action}}',
        { amount: '10 EUR', dueDate: '1 Dec' },
        { url: 'https://p.test/1' },
      ),
    ).toBe('Bill of 10 EUR due 1 Dec. Pay: https://p.test/1');
  });

  it('turns a reply keyword into an instruction', () => {
    expect(renderTemplate('Confirm: {{action}}', {}, { replyKeyword: 'YES' })).toBe(
      'Confirm: reply YES',
    );
  });

  it('leaves a placeholder without a value visible rather than silently empty', () => {
    expect(renderTemplate('Hello {{name}}', {}, {})).toBe('Hello {{name}}');
  });

  it('renders numbers and objects', () => {
    expect(renderTemplate('{{n}} {{o}}', { n: 3, o: { a: 1 } }, {})).toBe('3 {"a":1}');
  });
});

describe('composeDigest', () => {
  it('sends one message that names each message it carries, with its action', () => {
    const digest = composeDigest(
      { subject: 'Your plan changes', body: 'From 1 Jan… See: https://a.test' },
      [
        { subject: 'A new app', body: 'Try it: https://b.test' },
        { subject: 'Winter offer', body: '20% off: https://c.test' },
      ],
    );
    expect(digest.subject).toBe('Your plan changes (and 2 more)');
    expect(digest.body).toContain('From 1 Jan');
    expect(digest.body).toContain('- A new app: Try it: https://b.test');
    expect(digest.body).toContain('- Winter offer: 20% off: https://c.test');
  });

  it('leaves a single message as it is', () => {
    const one = { subject: 's', body: 'b' };
    expect(composeDigest(one, [])).toBe(one);
  });
});

describe('withPreferenceLinks', () => {
  const links = {
    preferences: 'https://ov.example/preferences/c?t=p',
    unsubscribe: 'https://ov.example/v1/unsubscribe?c=c&t=u',
  };
  const message = { subject: 's', body: 'Your offer.' };

  it('gives an email about an optional kind of message both links', () => {
    const out = withPreferenceLinks(message, links, 'email', 'promotion');
    expect(out.body).toBe(
      'Your offer.\n\nChoose how we contact you: https://ov.example/preferences/c?t=p\nStop promotion messages: https://ov.example/v1/unsubscribe?c=c&t=u',
    );
  });

  it('offers no unsubscribe from bills, which always reach the customer', () => {
    expect(withPreferenceLinks(message, links, 'email', 'billing').body).not.toContain(
      'unsubscribe',
    );
  });

  it('keeps a text short: the preference link only', () => {
    expect(withPreferenceLinks(message, links, 'sms', 'promotion').body).toBe(
      'Your offer.\n\nYour choices: https://ov.example/preferences/c?t=p',
    );
  });
});
