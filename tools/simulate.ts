/**
 * `npm run simulate` — OneVoice's gate over a synthetic population, against the naive baseline
 * (docs/simulation.md). `npm run simulate -- --help` lists the options.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { htmlReport } from '../apps/coordinator/src/simulation/html-report';
import { describeRun, runScenario, SCENARIOS } from '../apps/coordinator/src/simulation/scenarios';
import { DEFAULT_FILES, loadSetup, simulate } from '../apps/coordinator/src/simulation/simulation';

const HELP = `npm run simulate -- [options]
  --customers N     customers to simulate (10000)
  --days D          length of the period in days (90)
  --seed S          the population's seed (1)
  --policy FILE     policy under test (config/policy.yaml)
  --catalogue FILE  intent catalogue (config/intent-catalogue.yaml)
  --profiler FILE   behaviour profiler settings (config/profiler.yaml)
  --surveys FILE    survey policy (config/survey-policy.yaml)
  --population FILE the population (config/population.yaml)
  --scenario NAME   tell one named story (or "all"; "list" names them) day by day
  --export FILE     write the population's department events as JSONL (for npm run replay,
                    or to put on ov.events.v1), then stop
  --json            print one JSON object on stdout, nothing else
  --html FILE       also write a report a manager can read`;

function parse(argv: string[]) {
  const o: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) fail(`unexpected argument "${a}"`);
    const name = a.slice(2);
    if (name === 'json' || name === 'help') o[name] = true;
    else {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) fail(`--${name} needs a value`);
      o[name] = value;
    }
  }
  const known = [
    'customers',
    'days',
    'seed',
    'policy',
    'catalogue',
    'profiler',
    'surveys',
    'population',
    'scenario',
    'export',
    'json',
    'html',
    'help',
  ];
  for (const k of Object.keys(o)) if (!known.includes(k)) fail(`unknown option --${k}`);
  const int = (name: string, dflt: number, min: number) => {
    const v = o[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      fail(`--${name} must be an integer ≥ ${min}, got "${String(v)}"`);
    return n;
  };
  return {
    help: o['help'] === true,
    json: o['json'] === true,
    html: typeof o['html'] === 'string' ? o['html'] : undefined,
    scenario: typeof o['scenario'] === 'string' ? o['scenario'] : undefined,
    export: typeof o['export'] === 'string' ? o['export'] : undefined,
    customers: int('customers', 10_000, 1),
    days: int('days', 90, 1),
    seed: int('seed', 1, 0),
    files: {
      policy: (o['policy'] as string) ?? DEFAULT_FILES.policy,
      catalogue: (o['catalogue'] as string) ?? DEFAULT_FILES.catalogue,
      permissions: DEFAULT_FILES.permissions,
      profiler: (o['profiler'] as string) ?? DEFAULT_FILES.profiler,
      surveys: (o['surveys'] as string) ?? DEFAULT_FILES.surveys,
      population: (o['population'] as string) ?? DEFAULT_FILES.population,
    },
  };
}

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

const options = parse(process.argv.slice(2));
if (options.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
let setup;
try {
  setup = loadSetup(options.files, options.seed, options.days);
} catch (e) {
  fail((e as Error).message);
}
if (options.scenario) {
  const wanted =
    options.scenario === 'all' ? SCENARIOS : SCENARIOS.filter((s) => s.name === options.scenario);
  if (options.scenario === 'list' || wanted.length === 0) {
    const names = SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.summary}`).join('\n');
    if (options.scenario === 'list') {
      process.stdout.write(`${names}\n`);
      process.exit(0);
    }
    fail(`no scenario "${options.scenario}"; there are:\n${names}`);
  }
  const runs = wanted.map((s) => runScenario(setup, setup.population, s));
  if (options.json)
    process.stdout.write(
      `${JSON.stringify(
        runs.map((r) => ({
          scenario: r.scenario.name,
          received: r.onevoice.sends,
          decisions: r.onevoice.decisionLog,
          naive: r.naive.sends.length,
        })),
      )}\n`,
    );
  else process.stdout.write(`${runs.map((r) => describeRun(r).join('\n')).join('\n\n')}\n`);
  process.exit(0);
}
if (options.export) {
  const out = openSync(options.export, 'w');
  let written = 0;
  for (let i = 0; i < options.customers; i++) {
    const events = setup.population.eventsOf(setup.population.customer(i));
    writeSync(out, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    written += events.length;
  }
  closeSync(out);
  process.stderr.write(
    `wrote ${written} events of ${options.customers} customers to ${options.export}\n`,
  );
  process.exit(0);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const tty = process.stderr.isTTY;
const started = performance.now();
let shown = 0;
let inputs = 0;
const report = simulate(setup, options.customers, (done, events) => {
  inputs = events;
  const now = performance.now();
  if (done !== options.customers && now - shown < (tty ? 200 : 10_000)) return;
  shown = now;
  const s = (now - started) / 1000;
  const line = `simulating ${done}/${options.customers} customers, ${events} events, ${Math.round(events / s)} events/s`;
  if (tty) {
    const width = 30;
    const filled = Math.round((done / options.customers) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}`);
    if (done === options.customers) process.stderr.write('\n');
  } else log(line);
});
const seconds = (performance.now() - started) / 1000;
const memory = process.memoryUsage();
const run = {
  seconds: Math.round(seconds * 10) / 10,
  events: inputs,
  eventsPerSecond: Math.round(inputs / seconds),
  peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  heapUsedMiB: Math.round((memory.heapUsed / 2 ** 20) * 10) / 10,
};
if (options.html) {
  writeFileSync(options.html, htmlReport(report, options.files));
}
if (options.json) process.stdout.write(`${JSON.stringify({ ...report, run })}\n`);
else process.stdout.write(`${JSON.stringify({ ...report, run }, null, 2)}\n`);
