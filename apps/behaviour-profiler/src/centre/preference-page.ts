import { isKnownTimeZone, OPTIONAL_CATEGORIES, type Channel } from '@onevoice/contracts';
import type { ExplicitPreferences } from '@onevoice/policy';

/** The wording the customer sees; the consent ledger records which version they agreed to. */
export const PAGE_WORDING_VERSION = 'preference-centre-2026-11';

const CHANNELS: [Channel, string][] = [
  ['email', 'Email'],
  ['sms', 'Text message (SMS)'],
  ['voice', 'Phone call'],
  ['push', 'App notification'],
  ['letter', 'Letter'],
];
const TOPIC_WORDING: Record<(typeof OPTIONAL_CATEGORIES)[number], string> = {
  promotion: 'Offers and promotions',
  survey: 'Short surveys about our service',
  usage: 'Tips about your usage',
};
const TOPICS = Object.entries(TOPIC_WORDING);
const FREQUENCIES: [ExplicitPreferences['frequency'], string][] = [
  ['as_it_comes', 'As it happens'],
  ['daily_digest', 'At most once a day, all together'],
  ['weekly_digest', 'At most once a week, all together'],
];

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font: 17px/1.5 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
  main { max-width: 34rem; margin: 0 auto; padding: 1.25rem; }
  h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
  fieldset { border: 0; background: #fff; border-radius: 12px; padding: 1rem 1.1rem; margin: 0 0 1rem; }
  legend { font-weight: 600; padding: 0; margin-bottom: .4rem; float: left; width: 100%; }
  legend + * { clear: both; }
  label { display: flex; gap: .6rem; align-items: center; padding: .35rem 0; }
  input[type=radio], input[type=checkbox] { width: 1.3rem; height: 1.3rem; flex: none; }
  input[type=time], input[type=text] { font: inherit; padding: .3rem .4rem; }
  .hint { color: #5a6272; font-size: .92rem; margin: .2rem 0 .4rem; }
  button { font: inherit; font-weight: 600; width: 100%; padding: .85rem; border: 0; border-radius: 10px; background: #1f5eff; color: #fff; }
  .ok { background: #e6f6ea; border-radius: 12px; padding: 1rem; }
</style></head>
<body><main>${body}</main></body></html>`;
}

/** The page a customer reaches from the link in any message: their choices, in plain words. */
export function preferencePage(
  p: ExplicitPreferences,
  action: string,
  token: string,
  saved = false,
): string {
  const channelOut = (ch: Channel) =>
    p.optOuts.some((o) => o.channel === ch && o.category === undefined);
  const topicOut = (cat: string) =>
    p.optOuts.some((o) => o.category === cat && o.channel === undefined);
  const radio = (name: string, value: string, label: string, checked: boolean) =>
    `<label><input type="radio" name="${name}" value="${esc(value)}"${checked ? ' checked' : ''}> ${esc(label)}</label>`;
  const box = (name: string, label: string, checked: boolean) =>
    `<label><input type="checkbox" name="${name}" value="yes"${checked ? ' checked' : ''}> ${esc(label)}</label>`;
  return layout(
    'Your contact choices',
    `<h1>How we contact you</h1>
${saved ? '<p class="ok" role="status">Saved. From now on we contact you this way.</p>' : ''}
<form method="post" action="${esc(action)}">
<input type="hidden" name="t" value="${esc(token)}">
<fieldset><legend>Your preferred way to hear from us</legend>
${radio('preferredChannel', '', 'No preference — use what suits each message', !p.preferredChannel)}
${CHANNELS.map(([ch, label]) => radio('preferredChannel', ch, label, p.preferredChannel === ch)).join('\n')}
</fieldset>
<fieldset><legend>Ways we may use</legend>
<p class="hint">Untick any you never want us to use.</p>
${CHANNELS.map(([ch, label]) => box(`channel_${ch}`, label, !channelOut(ch))).join('\n')}
</fieldset>
<fieldset><legend>What we may contact you about</legend>
<p class="hint">Bills, outages and changes to your account always reach you, the way you choose above.</p>
${TOPICS.map(([cat, label]) => box(`topic_${cat}`, label, !topicOut(cat))).join('\n')}
</fieldset>
<fieldset><legend>How often</legend>
${FREQUENCIES.map(([f, label]) => radio('frequency', f, label, p.frequency === f)).join('\n')}
</fieldset>
<fieldset><legend>Quiet hours</legend>
<p class="hint">We will not call or text you in these hours.</p>
<label>From <input type="time" name="quietStart" value="${esc(p.quietHours?.start ?? '21:00')}"></label>
<label>To <input type="time" name="quietEnd" value="${esc(p.quietHours?.end ?? '08:00')}"></label>
<label>Time zone <input type="text" name="timeZone" value="${esc(p.timeZone ?? '')}" placeholder="e.g. Europe/Berlin" autocomplete="off"></label>
</fieldset>
<button type="submit">Save my choices</button>
</form>`,
  );
}

/** What a refused link shows: why, without saying anything about the customer. */
export function refusedPage(reason: string): string {
  const why =
    reason === 'expired'
      ? 'This link has expired. Use the link in a more recent message from us.'
      : 'This link is not valid. Use the link in a message from us.';
  return layout('Link not valid', `<h1>We could not open your choices</h1><p>${esc(why)}</p>`);
}

export function unsubscribedPage(category: string): string {
  return layout(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1><p class="ok" role="status">We will not send you ${esc(category)} messages any more.</p>`,
  );
}

export function unsubscribeConfirmPage(action: string, category: string): string {
  return layout(
    'Unsubscribe',
    `<h1>Unsubscribe from ${esc(category)} messages?</h1>
<form method="post" action="${esc(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>`,
  );
}

/** Reads the form back into preferences; the consents and per-category channels stay as they were. */
export function preferencesFromForm(
  before: ExplicitPreferences,
  form: Record<string, unknown>,
): { ok: true; prefs: ExplicitPreferences } | { ok: false; field: string; message: string } {
  const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
  const preferred = text('preferredChannel');
  if (preferred && !CHANNELS.some(([ch]) => ch === preferred))
    return { ok: false, field: 'preferredChannel', message: 'choose one of the ways listed' };
  const frequency = text('frequency') || before.frequency;
  if (!FREQUENCIES.some(([f]) => f === frequency))
    return { ok: false, field: 'frequency', message: 'choose one of the options listed' };
  const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
  const start = text('quietStart');
  const end = text('quietEnd');
  if ((start && !clock.test(start)) || (end && !clock.test(end)))
    return { ok: false, field: 'quietStart', message: 'quiet hours are times such as 21:00' };
  // Saved only when the customer chose one: an empty field is not "UTC".
  const zone = text('timeZone') || before.timeZone;
  if (zone !== undefined && !isKnownTimeZone(zone))
    return { ok: false, field: 'timeZone', message: 'a time zone such as Europe/Berlin' };
  // Opt-outs the page does not show (a channel for one category, say) are kept as they were.
  const shown = (o: { channel?: string; category?: string }) =>
    (o.category === undefined && CHANNELS.some(([ch]) => ch === o.channel)) ||
    (o.channel === undefined && TOPICS.some(([cat]) => cat === o.category));
  const optOuts = [
    ...before.optOuts.filter((o) => !shown(o)),
    ...CHANNELS.filter(([ch]) => form[`channel_${ch}`] !== 'yes').map(([channel]) => ({ channel })),
    ...TOPICS.filter(([cat]) => form[`topic_${cat}`] !== 'yes').map(([category]) => ({
      category: category as 'promotion',
    })),
  ];
  return {
    ok: true,
    prefs: {
      ...before,
      ...(preferred ? { preferredChannel: preferred as Channel } : { preferredChannel: undefined }),
      optOuts,
      frequency: frequency as ExplicitPreferences['frequency'],
      // The page shows the usual hours when none were chosen; keeping them is not a choice.
      ...(start && end && (before.quietHours || start !== '21:00' || end !== '08:00')
        ? { quietHours: { start, end } }
        : {}),
      ...(zone ? { timeZone: zone } : {}),
    },
  };
}
