/**
 * `npm run dlq` — what OneVoice refused, and sending it back once the cause is fixed.
 *
 *   npm run dlq -- list [--from TIME] [--topic T] [--reason TEXT] [--json]
 *   npm run dlq -- show P:O [--json]
 *   npm run dlq -- redrive (--at P:O … | --all [--from TIME] [--topic T] [--reason TEXT]) [--dry-run] [--json]
 *
 * A re-drive is idempotent (libs/messaging/src/dead-letter-redrive.ts): run it again after an
 * interruption and what went back already is not sent twice. docs/operations.md says when to.
 */
import { Topics } from '@onevoice/contracts';
import { createKafka, readDeadLetters, redrive, type DeadLetter } from '@onevoice/messaging';
import { Partitioners } from 'kafkajs';
import { commandLine } from './cli';

const HELP = `npm run dlq -- <command> [options]

  list                 the dead letters on ${Topics.deadLetters}: where each is (P:O), when and
                       why it failed, which consumer refused it, from which topic
  show P:O             one dead letter: its reason, field, headers and original bytes
  redrive              sends dead letters back to the topics they came from, for the consumers
                       to take again once the cause is fixed (idempotent: never twice)
    --at P:O           this one (repeat for more)
    --all              every one that matches --from, --topic, --reason
    --dry-run          says what it would send back, sends nothing

  --from TIME          only dead letters from this ISO time
  --topic T            only those that came from topic T
  --reason TEXT        only those whose reason contains TEXT
  --json               JSON on stdout
Reads KAFKA_BROKERS (127.0.0.1:9092).`;

const [command, ...rest] = process.argv.slice(2);
const cli = commandLine(
  'dlq',
  HELP,
  {
    at: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    from: { type: 'string' },
    topic: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  },
  command === 'show' ? rest.slice(1) : rest,
);
if (cli.values.help || command === undefined || command === '--help') {
  process.stdout.write(`${HELP}\n`);
  process.exit(command === undefined ? 2 : 0);
}
const json = cli.values.json === true;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka(
  { brokers, clientId: 'onevoice-dlq', partitions: 1 },
  { logLevel: 1, retry: { retries: 3 } },
);

function matching(letters: DeadLetter[]): DeadLetter[] {
  const topic = cli.text('topic');
  const reason = cli.text('reason');
  return letters.filter(
    (l) =>
      (topic === undefined || l.sourceTopic === topic) &&
      (reason === undefined || l.reason.includes(reason)),
  );
}

/** A dead letter without its bytes, for listing. */
function summary(l: DeadLetter) {
  let id: string | undefined;
  try {
    id = (JSON.parse(l.value?.toString('utf8') ?? '') as { id?: string }).id;
  } catch {
    id = undefined;
  }
  return {
    at: l.at,
    failedAt: l.failedAt,
    sourceTopic: l.sourceTopic,
    consumer: l.consumer,
    key: l.key,
    ...(id ? { id } : {}),
    reason: l.reason,
    ...(l.field ? { field: l.field } : {}),
  };
}

async function main(): Promise<number> {
  const from = cli.time('from');
  switch (command) {
    case 'list': {
      const letters = matching(await readDeadLetters(kafka, from ? { from } : {}));
      if (json) process.stdout.write(`${JSON.stringify(letters.map(summary))}\n`);
      else {
        for (const l of letters) {
          const s = summary(l);
          process.stdout.write(
            `${s.at.padEnd(10)} ${s.failedAt || '(no time)'}  ${s.sourceTopic} → ${s.consumer}${s.id ? `  id ${s.id}` : ''}\n           ${s.reason}${s.field ? ` [${s.field}]` : ''}\n`,
          );
        }
        process.stdout.write(`${letters.length} dead letter(s)\n`);
      }
      return 0;
    }
    case 'show': {
      const at = rest[0];
      if (!at || !/^\d+:\d+$/.test(at))
        return cli.fail('show needs a dead letter as P:O, e.g. 0:12');
      const letter = (await readDeadLetters(kafka)).find((l) => l.at === at);
      if (!letter) return cli.fail(`no dead letter at ${at} on ${Topics.deadLetters}`);
      const text = letter.value?.toString('utf8') ?? null;
      const bytes =
        text !== null && Buffer.from(text, 'utf8').equals(letter.value!)
          ? { value: text }
          : { valueBase64: letter.value?.toString('base64') ?? null };
      const out = { ...summary(letter), headers: letter.headers, ...bytes };
      process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    case 'redrive': {
      const ats = (cli.values.at as unknown as string[] | undefined) ?? [];
      if (ats.length === 0 && cli.values.all !== true)
        return cli.fail('redrive needs --at P:O (one or more) or --all');
      const letters = matching(await readDeadLetters(kafka, from ? { from } : {}));
      const chosen = cli.values.all === true ? letters : letters.filter((l) => ats.includes(l.at));
      const missing = ats.filter((at) => !chosen.some((l) => l.at === at));
      if (missing.length > 0)
        return cli.fail(
          `no dead letter at ${missing.join(', ')} (or it does not match the filters)`,
        );
      if (cli.values['dry-run'] === true) {
        const plan = chosen.map((l) => ({ at: l.at, to: l.sourceTopic }));
        process.stdout.write(
          json
            ? `${JSON.stringify({ wouldRedrive: plan })}\n`
            : `${plan.map((p) => `would send ${p.at} back to ${p.to}`).join('\n')}\n${plan.length} dead letter(s); nothing sent (--dry-run)\n`,
        );
        return 0;
      }
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      try {
        const result = await redrive(kafka, producer, chosen);
        if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else
          process.stdout.write(
            [
              ...result.redriven.map((r) => `sent ${r.at} back to ${r.topic}`),
              ...result.alreadyRedriven.map(
                (r) => `${r.at} was sent back to ${r.topic} before: not again`,
              ),
              ...result.unknownSource.map((at) => `${at} names no topic it came from: left`),
              `${result.redriven.length} sent back, ${result.alreadyRedriven.length} already, ${result.unknownSource.length} left`,
            ].join('\n') + '\n',
          );
        return result.unknownSource.length > 0 ? 1 : 0;
      } finally {
        await producer.disconnect();
      }
    }
    case undefined:
    default:
      return cli.fail(`unknown command "${command}": list, show or redrive`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`dlq: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
