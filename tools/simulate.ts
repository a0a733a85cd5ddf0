/**
 * `npm run simulate` — OneVoice's gate over a synthetic population, against the naive baseline
 * (docs/simulation.md). `npm run simulate -- --help` lists the options.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { commandLine } from './cli';
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

const string = { type: 'string' } as const;
const cli = commandLine('simulate', HELP, {
  customers: string,
  days: string,
  seed: string,
  policy: string,
  catalogue: string,
  profiler: string,
  surveys: string,
  population: string,
  scenario: string,
  export: string,
  html: string,
  json: { type: 'boolean' },
  help: { type: 'boolean' },
});
const { fail, text } = cli;
const options = {
  help: cli.values.help === true,
  json: cli.values.json === true,
  html: text('html'),
  scenario: text('scenario'),
  export: text('export'),
  customers: cli.int('customers', 10_000, 1),
  days: cli.int('days', 90, 1),
  seed: cli.int('seed', 1, 0),
  files: {
    policy: text('policy') ?? DEFAULT_FILES.policy,
    catalogue: text('catalogue') ?? DEFAULT_FILES.catalogue,
    permissions: DEFAULT_FILES.permissions,
    profiler: text('profiler') ?? DEFAULT_FILES.profiler,
    surveys: text('surveys') ?? DEFAULT_FILES.surveys,
    population: text('population') ?? DEFAULT_FILES.population,
  },
};
if (options.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const setup = (() => {
  try {
    return loadSetup(options.files, options.seed, options.days);
  } catch (e) {
    return fail((e as Error).message);
  }
})();
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
