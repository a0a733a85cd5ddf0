import { z } from 'zod';
import { createSimulator } from './simulator';

/** `PORT` (3009); chaos at start-up from SIM_* variables, or later with `PUT /control`. */
const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3009),
    HOST: z.string().default('0.0.0.0'),
    SIM_LATENCY_MS: z.coerce.number().int().min(0).default(0),
    SIM_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
    SIM_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0),
    SIM_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
    SIM_CALLBACK_SECRET: z.string().min(8).default('dev-provider-callback-secret'),
    /** Where customers' SMS replies go (the dispatcher's inbound webhook). */
    SIM_INBOUND_URL: z.url().optional(),
  })
  .safeParse(process.env);
if (!env.success) {
  process.stderr.write(
    `provider-simulator: invalid configuration:\n${env.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}\n`,
  );
  process.exit(1);
}
const e = env.data;
const { app } = createSimulator({
  callbackSecret: e.SIM_CALLBACK_SECRET,
  ...(e.SIM_INBOUND_URL ? { inboundUrl: e.SIM_INBOUND_URL } : {}),
  chaos: {
    latencyMs: e.SIM_LATENCY_MS,
    errorRate: e.SIM_ERROR_RATE,
    timeoutRate: e.SIM_TIMEOUT_RATE,
    timeoutMs: e.SIM_TIMEOUT_MS,
  },
});
const server = app.listen(e.PORT, e.HOST, () =>
  process.stdout.write(
    `${JSON.stringify({ level: 'log', service: 'provider-simulator', msg: 'listening', port: e.PORT })}\n`,
  ),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
