import { renderTemplate } from './render';

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
