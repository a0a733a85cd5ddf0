import { contactsInWindows } from './decision-metrics';

const DAY = 86_400_000;
const caps = [
  { name: 'daily', windowMs: DAY, max: 1 },
  { name: 'weekly', windowMs: 7 * DAY, max: 3 },
  { name: 'promotions-weekly', windowMs: 7 * DAY, max: 1, categories: ['promotion'] },
];
const at = new Date('2026-11-24T12:00:00Z');
const ago = (ms: number) => new Date(at.getTime() - ms);

describe('contactsInWindows', () => {
  const history = [
    { status: 'approved' as const, at, category: 'billing' as const }, // this one
    { status: 'approved' as const, at: ago(DAY / 2), category: 'promotion' as const },
    { status: 'approved' as const, at: ago(DAY), category: 'service' as const }, // a day ago: out of the day
    { status: 'approved' as const, at: ago(6 * DAY), category: 'promotion' as const },
    { status: 'approved' as const, at: ago(7 * DAY), category: 'billing' as const }, // out of the week
    { status: 'approved' as const, at: new Date(at.getTime() + 1), category: 'billing' as const }, // later
    { status: 'deferred' as const, at: ago(1), category: 'billing' as const },
    { status: 'suppressed' as const, at: null, category: 'billing' as const },
  ];

  it('counts the approved contacts due in each window that ends at the approval, this one included', () => {
    expect(contactsInWindows(history, caps, 'billing', at)).toEqual([
      { window: 'daily', contacts: 2 },
      { window: 'weekly', contacts: 4 },
    ]);
  });

  it("counts a category's own window only for that category, with only its contacts", () => {
    expect(contactsInWindows(history, caps, 'promotion', at)).toEqual([
      { window: 'daily', contacts: 2 },
      { window: 'weekly', contacts: 4 },
      { window: 'promotions-weekly', contacts: 2 },
    ]);
  });
});
