import {
  baseEnvSchema,
  intentCataloguePath,
  loadEnv,
  secretOrDevDefault,
  servicePort,
  signingKey,
  signingKeyEnv,
} from '@onevoice/runtime';
import { durationSchema } from '@onevoice/contracts';
import { z } from 'zod';

export const dispatcherEnvSchema = baseEnvSchema
  .extend({
    PORT: servicePort(3004),
    OV_INTENT_CATALOGUE: intentCataloguePath,
    /** How often scheduled deliveries are looked at to see whether their window has opened. */
    OV_DISPATCH_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    /** Signs the preference-centre and unsubscribe links in messages. */
    ...signingKeyEnv,
    /** Where customers reach the preference centre (the behaviour profiler's public address). */
    OV_PREFERENCE_CENTRE_URL: z
      .url({ error: 'must be an absolute URL' })
      .default('http://127.0.0.1:3002'),
    /** How long a link in a message keeps working. */
    OV_LINK_LIFETIME: durationSchema.default('P30D'),
    /** The SMS / voice / push provider's API (the provider simulator locally); unset: captured. */
    OV_PROVIDER_URL: z.url({ error: 'must be an absolute URL' }).optional(),
    /**
     * The channels (of sms, voice, push) whose HTTP provider sends once per idempotency key, however
     * often it is called with it; comma-separated. Only those are sent again under the same key
     * after a call whose outcome is unknown; every other is asked what it took first. None by
     * default: Twilio's REST API and FCM take no idempotency key.
     */
    OV_PROVIDER_IDEMPOTENT: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.enum(['sms', 'voice', 'push'], { error: 'must list channels of sms, voice, push' }),
        ),
      ),
    /**
     * How long after a call whose outcome is unknown the provider is first asked what it took:
     * longer than the provider takes to record a message it accepted (asked sooner, a message it
     * is still recording reads as never taken, and is sent again).
     */
    OV_PROVIDER_LOOKUP_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /** How long a provider call may take before its outcome is uncertain. */
    OV_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    /** Email over SMTP (smtp://host:port, smtps://user:pass@host); unset: captured. */
    OV_SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^/]+$/, 'must look like smtp://host:port')
      .optional(),
    OV_MAIL_FROM: z.string().min(3).default('OneVoice <no-reply@onevoice.invalid>'),
    /** How a customer id becomes an email address until a contact directory provides them. */
    OV_EMAIL_RECIPIENT: z
      .string()
      .includes('{customerId}', { error: 'must contain {customerId}' })
      .default('{customerId}@customers.onevoice.invalid'),
    /** Chat and in-app messages go to this webhook (signed with OV_WEBHOOK_SECRET); unset: captured. */
    OV_WEBHOOK_URL: z.url({ error: 'must be an absolute URL' }).optional(),
    OV_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Where the day's letter batches are written for the print shop. */
    OV_LETTER_DIR: z.string().min(1).default('.local/letters'),
    /**
     * The only sources whose approved decisions are carried out (comma-separated): the gate. An
     * approved or replacing decision from any other source goes to the dead-letter topic.
     */
    OV_GATE_SOURCES: z
      .string()
      .default('onevoice/coordinator')
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.string().min(1, 'must list sources, comma-separated')).min(1)),
    /**
     * How far from this machine's time a provider's signed timestamp may be: a callback signed
     * longer ago (or ahead) is refused, so a captured one cannot be replayed later.
     */
    OV_PROVIDER_CALLBACK_WINDOW: durationSchema.default('PT5M'),
    /**
     * How long a delivery keeps what it said (subject, body, rendered content) once it is settled;
     * then only its states remain.
     */
    OV_DELIVERY_RETENTION: durationSchema.default('P30D'),
    /** How often what is past its retention is pruned. */
    OV_RETENTION_PASS_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
    /** Providers sign their status callbacks and inbound messages with this. */
    OV_PROVIDER_CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Where providers reach this dispatcher's callbacks; unset: no status callbacks are asked for. */
    OV_DISPATCHER_PUBLIC_URL: z.url({ error: 'must be an absolute URL' }).optional(),
    /** Who the answers to STOP, START and HELP texts say is writing. */
    OV_SMS_SENDER_NAME: z.string().min(1).max(40).default('OneVoice'),
    OV_SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
    OV_SEND_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
    /**
     * A claim older than this means the sender died mid-call. A sender starts a call only in the
     * first half of its claim's lease, so the lease must be at least twice the provider timeout.
     */
    OV_SEND_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  })
  .superRefine((env, ctx) => {
    if (env.OV_SEND_LEASE_MS < 2 * env.OV_PROVIDER_TIMEOUT_MS)
      ctx.addIssue({
        code: 'custom',
        path: ['OV_SEND_LEASE_MS'],
        message: `must be at least twice OV_PROVIDER_TIMEOUT_MS (${env.OV_PROVIDER_TIMEOUT_MS}): a call must end well inside its claim`,
      });
  })
  .transform((env, ctx) => ({
    ...env,
    linkSecret: signingKey(env, ctx),
    providerCallbackSecret: secretOrDevDefault(
      env,
      ctx,
      'OV_PROVIDER_CALLBACK_SECRET',
      'dev-provider-callback-secret',
    ),
    // Required in production only when a webhook is configured.
    webhookSecret: env.OV_WEBHOOK_URL
      ? secretOrDevDefault(env, ctx, 'OV_WEBHOOK_SECRET', 'dev-webhook-secret-not-for-production')
      : 'no-webhook-configured',
  }));
export type DispatcherEnv = z.infer<typeof dispatcherEnvSchema>;
export const loadDispatcherEnv = (env: NodeJS.ProcessEnv = process.env): DispatcherEnv =>
  loadEnv(dispatcherEnvSchema, env);
