/**
 * `npm run demo` — against a running OneVoice (`npm start`, or `npm run start:kafka` with
 * `--distributed`), through its public HTTP APIs only: plays five of the design's stories, then a
 * few hundred simulated customers' traffic, and prints what each customer received and what was
 * held back, with the total against the naive baseline (every department sending every intent on
 * every one of its default channels: docs/simulation.md). `npm run demo -- --help` lists the
 * options.
 *
 * The stories' and the population's days are compressed: their events are sent now, in order, as
 * fast as OneVoice takes them — what a week brings arrives in a minute. The baseline counts the
 * same events, so the comparison holds; the timing of what OneVoice sends does not.
 */
import { randomUUID } from 'node:crypto';
import { commandLine } from './cli';
import { naiveOutcome } from '../apps/coordinator/src/simulation/naive-baseline';
import type { DepartmentEvent } from '../apps/coordinator/src/simulation/population';
import { runScenario, SCENARIOS } from '../apps/coordinator/src/simulation/scenarios';
import { DEFAULT_FILES, loadSetup } from '../apps/coordinator/src/simulation/simulation';

const HELP = `npm run demo -- [options]
  --url URL          OneVoice embedded (http://127.0.0.1:3000)
  --distributed      the distributed mode's default ports instead (ingest 3001, profiler 3002,
                     coordinator 3003); or give --ingest, --profiler, --coordinator URLs
  --customers N      simulated customers after the stories (300; 0: stories only)
  --days D           days of their traffic, sent in one go (7)
  --seed S           the population's seed (1)
  --staff-token T    the staff credential that reads timelines (dev-ops)`;

const STORIES = ['car-service', 'online-only', 'phone-upgrade', 'collections', 'outage'];

const string = { type: 'string' } as const;
const cli = commandLine('demo', HELP, {
  url: string,
  distributed: { type: 'boolean' },
  ingest: string,
  profiler: string,
  coordinator: string,
  customers: string,
  days: string,
  seed: string,
  'staff-token': string,
  help: { type: 'boolean' },
});
if (cli.values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const base = cli.text('url') ?? 'http://127.0.0.1:3000';
const distributed = cli.values.distributed === true;
const urls = {
  ingest: cli.text('ingest') ?? (distributed ? 'http://127.0.0.1:3001' : base),
  profiler: cli.text('profiler') ?? (distributed ? 'http://127.0.0.1:3002' : base),
  coordinator: cli.text('coordinator') ?? (distributed ? 'http://127.0.0.1:3003' : base),
};
const customers = cli.int('customers', 300, 0);
const days = cli.int('days', 7, 1);
const seed = cli.int('seed', 1, 0);
const staff = `Bearer ${cli.text('staff-token') ?? 'dev-ops'}`;
const run = randomUUID().slice(0, 6);
const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const say = (line = '') => process.stdout.write(`${line}\n`);

interface Entry {
  at: string;
  kind: string;
  summary: string;
  detail: {
    requestId?: string;
    decisionId?: string;
    outcome?: string;
    channel?: string;
    state?: string;
    intentType?: string;
  };
}

/** A customer played through OneVoice: who, what they asked for, what a naive company sends. */
interface Played {
  customer: string;
  /** Contact requests other than surveys: each gets a request entry on the timeline. */
  requests: number;
  naive: number;
}

/** What one customer got, from their timeline. */
interface Outcome {
  decisions: number;
  /** Sent, or scheduled to go out (in the morning, say): what reaches the customer. */
  messages: { channel: string; intent: string; state: string }[];
  /** Approved, then called off before it went out (the bill was paid, the customer opted out). */
  calledOff: string[];
  /** Decided against, merged into another message, or deferred to be decided again later. */
  heldBack: { outcome: string; summary: string }[];
}

const SENT = new Set(['sent', 'delivered', 'opened', 'clicked', 'replied', 'uncertain']);

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new Error(
      `OneVoice does not answer at ${new URL(url).origin} (${(err as Error).message}): start it first (npm start), or give --url`,
    );
  }
}

/**
 * What shows OneVoice has taken an event: its decision (a contact request), any new timeline
 * entry (a case, an interaction, a preference), or nothing yet (a survey, decided after the
 * survey gate's settle window).
 */
type Taken = 'decision' | 'entry' | 'later';

/**
 * Sends a customer's events in order, each with its department's development credential, and
 * after each waits until OneVoice has taken it (`taken`): a story's days are compressed, not its
 * order — the bill is paid after the reminder was decided.
 */
async function send(events: readonly DepartmentEvent[], taken: (type: string) => Taken) {
  let seen = (await timeline(events[0]!.subject)).length;
  for (const event of events) {
    const res = await call(`${urls.ingest}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer dev-${event.source}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    if (res.status !== 202)
      throw new Error(`ingest refused ${event.type} from ${event.source}: ${await res.text()}`);
    const shows = taken(event.type);
    if (shows === 'later') continue;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const entries = await timeline(event.subject);
      const done =
        shows === 'decision'
          ? entries.some((e) => e.kind === 'decision' && e.detail.requestId === event.id)
          : entries.length > seen;
      if (done || Date.now() > deadline) {
        seen = entries.length;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The events of a story or a simulated customer, renamed for this run and sent now. */
function forThisRun(events: readonly DepartmentEvent[], customer: string): DepartmentEvent[] {
  const now = new Date().toISOString();
  return events.map((e, i) => ({ ...e, id: `${customer}-${i}`, subject: customer, time: now }));
}

async function timeline(customer: string): Promise<Entry[]> {
  const res = await call(
    `${urls.coordinator}/v1/customers/${encodeURIComponent(customer)}/timeline`,
    { headers: { authorization: staff } },
  );
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`the timeline of ${customer}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { entries: Entry[] }).entries;
}

/** What the timeline says the customer got; undefined while a request is still being decided. */
function outcomeOf(entries: readonly Entry[], played: Played): Outcome | undefined {
  const requests = entries.filter((e) => e.kind === 'request');
  const decisions = entries.filter((e) => e.kind === 'decision');
  const latest = new Map<string, Entry>();
  for (const d of entries) if (d.kind === 'delivery') latest.set(d.detail.decisionId ?? d.at, d);
  const decided = new Set(decisions.map((d) => d.detail.requestId));
  const pending =
    requests.length < played.requests ||
    requests.some((r) => !decided.has(r.detail.requestId)) ||
    decisions.some((d) => d.detail.outcome === 'approved' && !latest.has(d.detail.decisionId!));
  if (pending) return undefined;
  const deliveries = [...latest.values()];
  return {
    decisions: decisions.length,
    messages: deliveries
      .filter((d) => d.detail.state === 'scheduled' || SENT.has(d.detail.state ?? ''))
      .map((d) => ({
        channel: d.detail.channel ?? '?',
        intent: d.detail.intentType ?? '?',
        state: d.detail.state === 'scheduled' ? 'scheduled for their hours' : 'sent',
      })),
    calledOff: deliveries
      .filter((d) => d.detail.state !== 'scheduled' && !SENT.has(d.detail.state ?? ''))
      .map((d) => `${d.detail.intentType} by ${d.detail.channel}: ${d.summary}`),
    heldBack: decisions
      .filter((d) => d.detail.outcome !== 'approved')
      .map((d) => ({ outcome: d.detail.outcome ?? '?', summary: d.summary })),
  };
}

/** Reads every played customer's outcome once all their requests are decided (a minute at most). */
async function outcomes(played: readonly Played[]): Promise<Map<string, Outcome>> {
  const found = new Map<string, Outcome>();
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const p of played.filter((c) => !found.has(c.customer))) {
      const got = outcomeOf(await timeline(p.customer), p);
      if (got) found.set(p.customer, got);
    }
    if (found.size === played.length) return found;
    if (Date.now() > deadline)
      throw new Error(
        `${played.length - found.size} customers' requests are still undecided after a minute ` +
          `(${played.find((p) => !found.has(p.customer))!.customer}, say): is every service up? GET /health/ready`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const ready = await call(`${urls.coordinator}/health/ready`);
  if (!ready.ok) throw new Error(`OneVoice is not ready yet (${urls.coordinator}/health/ready)`);
  const setup = loadSetup(DEFAULT_FILES, seed, days);
  // Survey intents pass the survey gate first and leave no request entry; every other intent does.
  const { intents } = setup.catalogue;
  const taken = (type: string): Taken =>
    type === 'survey.requested' || intents[type]?.category === 'survey'
      ? 'later'
      : intents[type]
        ? 'decision'
        : 'entry';
  const requestsIn = (events: readonly DepartmentEvent[]) =>
    events.filter((e) => taken(e.type) === 'decision').length;
  say(bold(`OneVoice demo (run ${run}) against ${distributed ? 'the distributed mode' : base}`));
  say(dim("Each story's days are sent in one go; the naive baseline counts the same events."));

  const stories: (Played & { name: string; summary: string })[] = [];
  for (const name of STORIES) {
    const scenario = SCENARIOS.find((s) => s.name === name)!;
    const told = runScenario(setup, setup.population, scenario);
    const customer = `demo-${run}-${name}`;
    const put = await call(
      `${urls.profiler}/v1/customers/${encodeURIComponent(customer)}/preferences`,
      {
        method: 'PUT',
        headers: { authorization: staff, 'content-type': 'application/json' },
        body: JSON.stringify({ timeZone: scenario.zone }),
      },
    );
    if (!put.ok)
      throw new Error(`the profiler refused ${customer}'s time zone: ${await put.text()}`);
    const events = forThisRun(told.events, customer);
    await send(events, taken);
    stories.push({
      name,
      summary: scenario.summary,
      customer,
      requests: requestsIn(events),
      naive: told.naive.sends.length,
    });
  }

  const population: Played[] = [];
  let events = 0;
  if (customers > 0) {
    say(`Sending ${customers} simulated customers' ${days} days of traffic…`);
    const queue = Array.from({ length: customers }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const simulated = setup.population.customer(i);
          const stream = setup.population.eventsOf(simulated);
          const customer = `demo-${run}-c${i}`;
          const mine = forThisRun(stream, customer);
          events += mine.length;
          await send(mine, taken);
          population.push({
            customer,
            requests: requestsIn(mine),
            naive: naiveOutcome(setup, simulated, stream, setup.population.end).sends.length,
          });
        }
      }),
    );
  }
  // A survey request waits for competing ones before the survey gate decides (settle in
  // config/survey-policy.yaml): wait it out once, for everyone, then read the timelines.
  const settle = setup.surveys.settleMs + 3_000;
  say(dim(`Waiting ${Math.round(settle / 1000)} s: surveys wait a minute for competing ones…`));
  await new Promise((r) => setTimeout(r, settle));
  const got = await outcomes([...stories, ...population]);

  let storyNaive = 0;
  let storyMessages = 0;
  for (const story of stories) {
    const o = got.get(story.customer)!;
    storyNaive += story.naive;
    storyMessages += o.messages.length;
    say();
    say(bold(story.name) + ` — ${story.summary}`);
    say(
      `  ${o.decisions} decisions; without OneVoice ${story.naive} messages, with it ${o.messages.length}`,
    );
    for (const m of o.messages) say(`  receives   ${m.channel.padEnd(7)} ${m.intent} (${m.state})`);
    for (const c of o.calledOff) say(dim(`  called off ${c}`));
    for (const h of o.heldBack) say(dim(`  held back  ${h.outcome.padEnd(10)} ${h.summary}`));
  }
  say();
  say(bold(`stories: ${storyMessages} messages instead of ${storyNaive}`));

  if (population.length > 0) {
    const count = { naive: 0, decisions: 0, messages: 0, calledOff: 0 };
    const heldBack = new Map<string, number>();
    for (const p of population) {
      const o = got.get(p.customer)!;
      count.naive += p.naive;
      count.decisions += o.decisions;
      count.messages += o.messages.length;
      count.calledOff += o.calledOff.length;
      for (const h of o.heldBack) heldBack.set(h.outcome, (heldBack.get(h.outcome) ?? 0) + 1);
    }
    const held = [...heldBack].map(([o, n]) => `${n} ${o}`).join(', ') || 'nothing';
    const deferred = heldBack.get('deferred') ?? 0;
    const fewer = (n: number) => Math.round((1 - n / Math.max(count.naive, 1)) * 100);
    say();
    say(bold(`${customers} simulated customers, ${days} days of their traffic`));
    say(`  ${events} events, ${count.decisions} decisions`);
    say(`  without OneVoice: ${count.naive} messages`);
    say(`  with OneVoice:    ${count.messages} messages (sent, or going out in their hours)`);
    say(`  held back:        ${held}; ${count.calledOff} called off before they went out`);
    say(
      bold(`  ${fewer(count.messages)}% fewer messages`) +
        ` (${fewer(count.messages + deferred)}% if every deferred request became a message of its own)`,
    );
  }
  say();
  say(
    dim(
      `Any customer's story: GET ${urls.coordinator}/v1/customers/demo-${run}-car-service/timeline`,
    ),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exit(1);
});
