/**
 * `npm run replay` — the traffic OneVoice received (ov.events.v1, or a JSONL export), decided
 * again under a changed policy on a virtual clock, compared with the policy in force. Touches
 * nothing running: it reads the topic without committing offsets. See docs/simulation.md.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@onevoice/contracts';
import { readTopicRange } from '@onevoice/messaging';
import {
  compareReplays,
  parseJsonl,
  recordedTraffic,
  type ReplayLimits,
} from '../apps/coordinator/src/simulation/replay';
import { commandLine } from './cli';
import { DEFAULT_FILES, loadGate } from '../apps/coordinator/src/simulation/simulation';

const HELP = `npm run replay -- --policy FILE [options]
  --policy FILE      the changed policy (required)
  --catalogue FILE   a changed intent catalogue (config/intent-catalogue.yaml)
  --profiler FILE    changed profiler settings (config/profiler.yaml)
  --input FILE       recorded events, one JSON CloudEvent per line (else ov.events.v1 on
                     KAFKA_BROKERS, 127.0.0.1:9092)
  --from TIME        only events from this ISO time
  --to TIME          only events before this ISO time (and the period ends there)
  --customers a,b,…  only these customers
  --json             one JSON object on stdout, nothing else
The policy in force is config/*.yaml (OV_POLICY, OV_INTENT_CATALOGUE override), in the markets
OV_DEFAULT_TIME_ZONE and OV_MARKET_TIME_ZONES (UTC when unset).`;

const log = (line: string) => process.stderr.write(`[replay] ${line}\n`);

function parse() {
  const string = { type: 'string' } as const;
  const cli = commandLine('replay', HELP, {
    policy: string,
    catalogue: string,
    profiler: string,
    input: string,
    from: string,
    to: string,
    customers: string,
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  const { text } = cli;
  if (cli.values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const customers = text('customers');
  return {
    fail: cli.fail,
    json: cli.values.json === true,
    policy: text('policy') ?? cli.fail('--policy is required'),
    catalogue: text('catalogue'),
    profiler: text('profiler'),
    input: text('input'),
    from: cli.time('from'),
    to: cli.time('to'),
    customers: customers
      ? new Set(
          customers
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean),
        )
      : undefined,
  };
}

async function main(): Promise<void> {
  const options = parse();
  const { fail } = options;
  const defaultZone = process.env['OV_DEFAULT_TIME_ZONE'] ?? 'UTC';
  const markets = [
    ...new Set([
      defaultZone,
      ...(process.env['OV_MARKET_TIME_ZONES'] ?? '')
        .split(',')
        .map((z) => z.trim())
        .filter(Boolean),
    ]),
  ];
  const zones = { default: defaultZone, markets };
  const inForce = {
    ...DEFAULT_FILES,
    policy: process.env['OV_POLICY'] ?? DEFAULT_FILES.policy,
    catalogue: process.env['OV_INTENT_CATALOGUE'] ?? DEFAULT_FILES.catalogue,
  };
  let before;
  let after;
  try {
    before = loadGate(inForce, zones);
    after = loadGate(
      {
        ...inForce,
        policy: options.policy,
        ...(options.catalogue ? { catalogue: options.catalogue } : {}),
        ...(options.profiler ? { profiler: options.profiler } : {}),
      },
      zones,
    );
  } catch (e) {
    return fail((e as Error).message);
  }
  let raw: unknown[];
  if (options.input) {
    raw = parseJsonl(readFileSync(options.input, 'utf8'));
  } else {
    const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
    log(`reading ${Topics.events} from ${brokers.join(',')}`);
    const kafka = new Kafka({ clientId: 'onevoice-replay', brokers, logLevel: logLevel.NOTHING });
    let shown = 0;
    raw = await readTopicRange(kafka, Topics.events, {
      ...(options.from !== undefined ? { from: options.from } : {}),
      progress: (read) => {
        if (read - shown >= 50_000) log(`read ${(shown = read)} events`);
      },
    });
  }
  const traffic = recordedTraffic(raw, before, {
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
    ...(options.customers ? { customers: options.customers } : {}),
  });
  const last = Math.max(
    0,
    ...[...traffic.byCustomer.values()].flatMap((l) => l.map((e) => Date.parse(e.time))),
  );
  // The period runs to --to, or a month after the last event (reminders and holds play out).
  const end = options.to ?? last + 30 * 86_400_000;
  const limits: ReplayLimits = { maxEvents: 10_000_000, maxCustomers: 1_000_000, samples: 5 };
  log(`${traffic.events} events of ${traffic.byCustomer.size} customers; deciding them twice`);
  const report = compareReplays(before, after, traffic, { end, limits });
  process.stdout.write(`${JSON.stringify(report, null, options.json ? undefined : 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`replay: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
