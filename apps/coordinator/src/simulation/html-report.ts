import type { SimulationReport } from './report';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Two bars side by side (OneVoice, without it), as inline SVG: no script, no network. */
function bars(title: string, rows: readonly [string, number, number][], unit = ''): string {
  const max = Math.max(1e-9, ...rows.flatMap(([, a, b]) => [a, b]));
  const h = 22;
  const body = rows
    .map(([label, ov, naive], i) => {
      const y = i * (2 * h + 10);
      const w = (x: number) => Math.max(1, (x / max) * 360);
      return `<text x="0" y="${y + 15}">${esc(label)}</text>
<rect x="170" y="${y}" width="${w(ov)}" height="${h - 4}" fill="#2f6fdb"/><text x="${175 + w(ov)}" y="${y + 14}">${ov}${unit}</text>
<rect x="170" y="${y + h}" width="${w(naive)}" height="${h - 4}" fill="#c9ced6"/><text x="${175 + w(naive)}" y="${y + h + 14}">${naive}${unit}</text>`;
    })
    .join('\n');
  const height = rows.length * (2 * h + 10);
  return `<h2>${esc(title)}</h2><svg width="640" height="${height}" font-size="13" font-family="sans-serif">${body}</svg>`;
}

/** The report as one HTML page a manager can read: the headline, the targets, and charts. */
export function htmlReport(r: SimulationReport, files: Record<string, string>): string {
  const ov = r.onevoice;
  const nv = r.naive;
  const channels = [...new Set([...Object.keys(ov.channels), ...Object.keys(nv.channels)])];
  const departments = [
    ...new Set([...Object.keys(ov.departments), ...Object.keys(nv.departments)]),
  ];
  const target = (name: string, value: number, ok: boolean, goal: string) =>
    `<tr><td>${esc(name)}</td><td>${value}</td><td>${esc(goal)}</td><td>${ok ? '✔' : '✘'}</td></tr>`;
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>OneVoice simulation</title>
<style>body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222}td,th{padding:4px 10px;text-align:left}
.big{font-size:2.2em;font-weight:bold}.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}</style>
<h1>What customers receive, with and without OneVoice</h1>
<p>${r.customers.toLocaleString('en')} simulated customers over ${r.days} days (seed ${r.seed}).
Policy <code>${esc(files['policy'] ?? '')}</code>, catalogue <code>${esc(files['catalogue'] ?? '')}</code>,
population <code>${esc(files['population'] ?? '')}</code>.</p>
<p class="big">${ov.touchesPerCustomerMonth} messages a month instead of ${nv.touchesPerCustomerMonth}</p>
<p>OneVoice sends ${Math.round(r.touchRatio * 100)}% of what the departments would send on their own,
${Math.round(r.preferredChannelShare * 100)}% of it on the channel the customer prefers
(${Math.round(nv.preferredChannelShare * 100)}% without OneVoice).</p>
<p class="key"><span style="background:#2f6fdb"></span>OneVoice<span style="background:#c9ced6"></span>each department on its own</p>
${bars('Messages per customer per month', [
  ['mean', ov.touchesPerCustomerMonth, nv.touchesPerCustomerMonth],
  ['95th percentile', ov.p95TouchesPerCustomerMonth, nv.p95TouchesPerCustomerMonth],
])}
${bars(
  'How messages land',
  [
    [
      'on the preferred channel',
      Math.round(ov.preferredChannelShare * 100),
      Math.round(nv.preferredChannelShare * 100),
    ],
    [
      'on an accepted channel',
      Math.round(ov.acceptedChannelShare * 100),
      Math.round(nv.acceptedChannelShare * 100),
    ],
  ],
  '%',
)}
${bars('What customers should never get', [
  ['inside quiet hours', ov.quietHoursViolations, nv.quietHoursViolations],
  ['calls they do not take', ov.unwantedCalls, nv.unwantedCalls],
  ['promos in collections', ov.promotionsDuringCollections, nv.promotionsDuringCollections],
  ['2+ channels in a day', ov.sameDayMultiChannel, nv.sameDayMultiChannel],
])}
${bars(
  'Messages by channel',
  channels.map((c) => [c, ov.channels[c] ?? 0, nv.channels[c] ?? 0] as [string, number, number]),
)}
${bars(
  'Messages by department',
  departments.map(
    (d) =>
      [d, ov.departments[d]?.sends ?? 0, nv.departments[d]?.sends ?? 0] as [string, number, number],
  ),
)}
<h2>Targets</h2><table><tr><th>figure</th><th>OneVoice</th><th>target</th><th></th></tr>
${target('touch ratio (OneVoice ÷ naive)', r.touchRatio, r.touchRatio <= 0.3, '≤ 0.30')}
${target('on the preferred channel', r.preferredChannelShare, r.preferredChannelShare >= 0.9, '≥ 0.90')}
${target('critical messages delivered', r.criticalDelivered, r.criticalDelivered === 1, '1.0')}
${target('quiet-hours violations', r.quietHoursViolations, r.quietHoursViolations === 0, '0')}
${target('refusal violations', r.refusalViolations, r.refusalViolations === 0, '0')}
${target('unwanted calls (not critical)', r.unwantedCalls, r.unwantedCalls === 0, '0')}
${target('surveys per 90 days (p95)', r.surveysPer90Days, r.surveysPer90Days <= 1, '≤ 1')}
</table></html>
`;
}
