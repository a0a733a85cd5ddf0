import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher, MessageBus } from '@onevoice/messaging';
import {
  DatabaseModule,
  idempotentConsumerProvider,
  ErasureConsumer,
  ErasedCustomers,
} from '@onevoice/persistence';
import type { CoordinatorEnv } from './config/env';
import { DecisionCountingPublisher } from './decisions/decision-metrics';
import { DecisionsConsumer } from './decisions/decisions.consumer';
import { COORDINATOR_INBOX } from './decisions/decisions.tokens';
import { DeliveriesConsumer } from './deliveries/deliveries.consumer';
import { InteractionsConsumer } from './interactions/interactions.consumer';
import { CoordinatorService } from './ledger/coordinator.service';
import {
  compileProfilerConfig,
  compileSurveyPolicy,
  durationMs,
  profilerConfigSchema,
  surveyPolicyConfigSchema,
} from '@onevoice/policy';
import { coordinatorEraser } from './erasure/customer-eraser';
import { decisionRetention } from './retention/decision-retention';
import { LedgerCache } from './ledger/ledger-cache';
import { LedgerRepository } from './ledger/ledger.repository';
import { COORDINATOR_MIGRATIONS } from './migrations';
import { policyProvider } from './policy/policy.provider';
import { ProfilesConsumer } from './profiles/profiles.consumer';
import { DueRequestsScheduler, SCHEDULER_TICK_MS } from './scheduler/due-requests.scheduler';
import {
  intentCatalogueProvider,
  loadConfigFile,
  permissionsProvider,
  StaffCredential,
  databasePool,
} from '@onevoice/runtime';
import { REPLAY_STEPS, SimulationsController } from './simulation/simulations.controller';
import { OtherDecisionsConsumer } from './timeline/other-decisions.consumer';
import { TimelineController } from './timeline/timeline.controller';

/**
 * How long a ledger kept in memory may be used: its time-bounded parts (which requests a history
 * holds, which carry their documents) are read for the moment they are loaded.
 */
const LEDGER_CACHE_TTL_MS = 5 * 60_000;

@Module({})
export class CoordinatorModule {
  static forRoot(env: CoordinatorEnv): DynamicModule {
    return {
      module: CoordinatorModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          pool: databasePool(env),
          schema: 'coordinator',
          migrations: COORDINATOR_MIGRATIONS,
        }),
      ],
      controllers: [
        DecisionsConsumer,
        InteractionsConsumer,
        DeliveriesConsumer,
        ProfilesConsumer,
        OtherDecisionsConsumer,
        TimelineController,
        SimulationsController,
        ErasureConsumer,
      ],
      providers: [
        LedgerRepository,
        {
          provide: LedgerCache,
          useValue: new LedgerCache({
            maxCustomers: env.OV_LEDGER_CACHE_CUSTOMERS,
            ttlMs: LEDGER_CACHE_TTL_MS,
          }),
        },
        CoordinatorService,
        coordinatorEraser,
        ErasedCustomers,
        decisionRetention({
          retentionMs: durationMs(env.OV_DECISION_RETENTION),
          passMs: env.OV_RETENTION_PASS_MS,
        }),
        DueRequestsScheduler,
        { provide: SCHEDULER_TICK_MS, useValue: env.OV_SCHEDULER_TICK_MS },
        {
          provide: StaffCredential,
          useValue: new StaffCredential(env.staff.tokens, env.staff.oidc),
        },
        intentCatalogueProvider(env.OV_INTENT_CATALOGUE),
        permissionsProvider(env.OV_PERMISSIONS),
        policyProvider(env.OV_POLICY, env.timeZones),
        {
          provide: REPLAY_STEPS,
          useValue: {
            profiler: compileProfilerConfig(
              loadConfigFile(env.OV_PROFILER_CONFIG, profilerConfigSchema),
            ),
            surveys: compileSurveyPolicy(
              loadConfigFile(env.OV_SURVEY_POLICY, surveyPolicyConfigSchema),
            ),
          },
        },
        idempotentConsumerProvider(COORDINATOR_INBOX, 'coordinator'),
        // This module's paths publish through it: every decision published is counted.
        {
          provide: EventPublisher,
          inject: [MessageBus],
          useFactory: (bus: MessageBus) => new DecisionCountingPublisher(bus.publisher),
        },
      ],
    };
  }
}
