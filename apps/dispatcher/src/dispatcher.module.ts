import { Clock } from '@onevoice/clock';
import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, ErasureConsumer, ErasedCustomers } from '@onevoice/persistence';
import { dispatcherEraser } from './erasure/customer-eraser';
import { deliveryRetention } from './retention/delivery-retention';
import { durationMs } from '@onevoice/policy';
import { intentCatalogueProvider, databasePool } from '@onevoice/runtime';
import { CaptureAdapter } from './channels/capture.adapter';
import { CHANNEL_ADAPTERS } from './channels/channel-adapter';
import { ChannelRouter } from './channels/channel-router';
import { HttpProviderAdapter } from './channels/http-provider.adapter';
import { LetterBatchAdapter } from './channels/letter-batch.adapter';
import { SmtpAdapter } from './channels/smtp.adapter';
import { WebhookAdapter } from './channels/webhook.adapter';
import type { DispatcherEnv } from './config/env';
import { DeliveriesConsumer } from './deliveries/deliveries.consumer';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import {
  DISPATCHER_LINKS,
  PROVIDER_FEEDBACK,
  GATE_SOURCES,
  SENDING_POLICY,
} from './deliveries/deliveries.tokens';
import { DeliveryStatusService } from './feedback/delivery-status.service';
import { KeywordReplies, SMS_SENDER_NAME } from './feedback/keyword-replies';
import { ProviderFeedbackController } from './feedback/provider-feedback.controller';
import { TrackingController } from './feedback/tracking.controller';
import { DeliveryComposer } from './deliveries/delivery-composer';
import { DeliverySender } from './deliveries/delivery-sender';
import { DISPATCHER_MIGRATIONS } from './migrations';
import { RefusalsConsumer } from './refusals/refusals.consumer';
import { DISPATCH_TICK_MS, DueDeliveriesScheduler } from './scheduler/due-deliveries.scheduler';

@Module({})
export class DispatcherModule {
  static forRoot(env: DispatcherEnv): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          pool: databasePool(env),
          schema: 'dispatcher',
          migrations: DISPATCHER_MIGRATIONS,
        }),
      ],
      controllers: [
        DeliveriesConsumer,
        RefusalsConsumer,
        ProviderFeedbackController,
        TrackingController,
        ErasureConsumer,
      ],
      providers: [
        dispatcherEraser,
        ErasedCustomers,
        deliveryRetention({
          retentionMs: durationMs(env.OV_DELIVERY_RETENTION),
          passMs: env.OV_RETENTION_PASS_MS,
        }),
        DeliveriesRepository,
        DeliveryComposer,
        DeliverySender,
        DeliveryStatusService,
        KeywordReplies,
        { provide: SMS_SENDER_NAME, useValue: env.OV_SMS_SENDER_NAME },
        { provide: GATE_SOURCES, useValue: new Set(env.OV_GATE_SOURCES) },
        {
          provide: PROVIDER_FEEDBACK,
          useValue: {
            secret: env.providerCallbackSecret,
            windowMs: durationMs(env.OV_PROVIDER_CALLBACK_WINDOW),
          },
        },
        DueDeliveriesScheduler,
        { provide: DISPATCH_TICK_MS, useValue: env.OV_DISPATCH_TICK_MS },
        {
          provide: DISPATCHER_LINKS,
          useValue: {
            secret: env.linkSecret,
            baseUrl: env.OV_PREFERENCE_CENTRE_URL,
            lifetimeMs: durationMs(env.OV_LINK_LIFETIME),
            ...(env.OV_DISPATCHER_PUBLIC_URL
              ? { trackingBaseUrl: env.OV_DISPATCHER_PUBLIC_URL }
              : {}),
          },
        },
        {
          provide: CHANNEL_ADAPTERS,
          inject: [Clock],
          useFactory: (clock: Clock) => channelAdapters(env, clock),
        },
        {
          provide: SENDING_POLICY,
          useValue: {
            maxAttempts: env.OV_SEND_MAX_ATTEMPTS,
            retryBaseMs: env.OV_SEND_RETRY_BASE_MS,
            leaseMs: env.OV_SEND_LEASE_MS,
            lookupDelayMs: env.OV_PROVIDER_LOOKUP_DELAY_MS,
            breakerThreshold: 5,
            breakerCoolDownMs: 30_000,
          },
        },
        intentCatalogueProvider(env.OV_INTENT_CATALOGUE),
      ],
    };
  }
}

/**
 * SMS, voice and push go to the HTTP provider when one is configured (`OV_PROVIDER_URL`: the
 * provider simulator locally), email to the SMTP server when one is (`OV_SMTP_URL`), chat and
 * in-app to the company's webhook when one is (`OV_WEBHOOK_URL`), letters into the day's batch
 * (`OV_LETTER_DIR`); everything without a provider is captured. Only the channels listed in
 * `OV_PROVIDER_IDEMPOTENT` are trusted to be deduplicated by key: an ambiguous call on any other
 * is reconciled with the provider, never made again blind.
 */
function channelAdapters(env: DispatcherEnv, clock: Clock): ChannelRouter {
  const capture = new CaptureAdapter();
  const url = env.OV_PROVIDER_URL;
  const provider = (base: string, channel: 'sms' | 'voice' | 'push') =>
    new HttpProviderAdapter(
      `http-${channel}`,
      channel,
      base,
      env.OV_PROVIDER_IDEMPOTENT.includes(channel),
      env.OV_PROVIDER_TIMEOUT_MS,
      env.OV_DISPATCHER_PUBLIC_URL,
    );
  return new ChannelRouter(
    {
      ...(url
        ? {
            sms: provider(url, 'sms'),
            voice: provider(url, 'voice'),
            push: provider(url, 'push'),
          }
        : {}),
      letter: new LetterBatchAdapter(env.OV_LETTER_DIR, clock),
      ...(env.OV_WEBHOOK_URL
        ? {
            chat: new WebhookAdapter(
              env.OV_WEBHOOK_URL,
              env.webhookSecret,
              env.OV_PROVIDER_TIMEOUT_MS,
            ),
            in_app: new WebhookAdapter(
              env.OV_WEBHOOK_URL,
              env.webhookSecret,
              env.OV_PROVIDER_TIMEOUT_MS,
            ),
          }
        : {}),
      ...(env.OV_SMTP_URL
        ? {
            email: new SmtpAdapter(
              env.OV_SMTP_URL,
              env.OV_MAIL_FROM,
              (customerId) => env.OV_EMAIL_RECIPIENT.replace('{customerId}', customerId),
              env.OV_PROVIDER_TIMEOUT_MS,
            ),
          }
        : {}),
    },
    capture,
  );
}
