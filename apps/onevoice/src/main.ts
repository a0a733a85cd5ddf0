import './instrument';
import { Logger } from '@nestjs/common';
import { stopTracing } from '@onevoice/observability';
import { createLogger, startFailure } from '@onevoice/runtime';
import { startEmbedded, type EmbeddedOneVoice } from './embedded';

/**
 * `npm start`: OneVoice embedded, in this one process (docs/operations.md). Ctrl-C stops it
 * cleanly; what it holds stays under OV_DATA_DIR (.local) for the next start.
 */
const logger = createLogger('onevoice', {
  LOG_FORMAT: (process.env.LOG_FORMAT as 'json' | 'pretty' | undefined) ?? undefined,
  LOG_LEVEL: (process.env.LOG_LEVEL as 'log' | undefined) ?? 'log',
});
Logger.overrideLogger(logger);
let running: EmbeddedOneVoice | undefined;
let stopping: Promise<void> | undefined;

function stop(code: number): void {
  stopping ??= (async () => {
    await running?.stop();
    await stopTracing();
  })().then(
    () => process.exit(code),
    (err: unknown) => {
      logger.error({ msg: 'unclean shutdown', error: String(err) });
      process.exit(1);
    },
  );
}

process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));
startEmbedded(process.env, logger, (error) => {
  logger.fatal({ msg: 'a consumer stopped for good; exiting', error: error.message });
  stop(1);
}).then(
  (onevoice) => {
    running = onevoice;
    if (stopping) return;
    const say = (line: string) => process.stdout.write(`${line}\n`);
    say('');
    say(`OneVoice is running (embedded) on ${onevoice.url}. Ctrl-C stops it.`);
    say(`  Send an event:  see README.md, "Send a first event"`);
    say(`  Timeline:       ${onevoice.url}/v1/customers/<customerId>/timeline`);
    say(`  Ready?          ${onevoice.url}/health/ready`);
    say(`  Its database:   psql ${onevoice.databaseUrl} (while it runs)`);
    say('');
  },
  (err: unknown) => {
    process.stderr.write(`onevoice failed to start: ${startFailure(err as Error, 'onevoice')}\n`);
    process.exit(1);
  },
);
