import { Module, type DynamicModule } from '@nestjs/common';
import {
  DatabaseModule,
  idempotentConsumerProvider,
  ErasedCustomers,
  ErasedCustomers1764800000000,
} from '@onevoice/persistence';
import { intentCatalogueProvider, StaffCredential, databasePool } from '@onevoice/runtime';
import { PreferenceCentreController } from './centre/preference-centre.controller';
import type { BehaviourProfilerEnv } from './config/env';
import { profilerConfigProvider } from './config/profiler-config.provider';
import { BehaviourProfilerInit1763900000000 } from './migrations/1763900000000-BehaviourProfilerInit';
import { Profiles1764100000000 } from './migrations/1764100000000-Profiles';
import { ConsentStatedAt1764600000000 } from './migrations/1764600000000-ConsentStatedAt';
import { Erasures1764700000000 } from './migrations/1764700000000-Erasures';
import { ErasureConsumer } from './erasure/erasure.consumer';
import { ErasureController } from './erasure/erasure.controller';
import { ErasureService } from './erasure/erasure.service';
import { PROFILER_INBOX, PROFILER_LINKS } from './profiler.tokens';
import { ProfileController } from './profiles/profile.controller';
import { ProfileRepository } from './profiles/profile.repository';
import { ProfileService } from './profiles/profile.service';
import { ProfileSignalsConsumer } from './profiles/profile-signals.consumer';
import { ProfileWriter } from './profiles/profile-writer';

/**
 * The behaviour profiler (docs/design.md §5): what customers do and say becomes the profile the
 * coordinator decides with, published on ov.profiles.v1; preferences, consents and the preference
 * centre live here.
 */
@Module({})
export class BehaviourProfilerModule {
  static forRoot(env: BehaviourProfilerEnv): DynamicModule {
    return {
      module: BehaviourProfilerModule,
      imports: [
        DatabaseModule.forService({
          url: env.DATABASE_URL,
          pool: databasePool(env),
          schema: 'behaviour_profiler',
          migrations: [
            BehaviourProfilerInit1763900000000,
            Profiles1764100000000,
            ConsentStatedAt1764600000000,
            Erasures1764700000000,
            ErasedCustomers1764800000000,
          ],
        }),
      ],
      controllers: [
        ProfileSignalsConsumer,
        ProfileController,
        PreferenceCentreController,
        ErasureController,
        ErasureConsumer,
      ],
      providers: [
        ErasureService,
        ErasedCustomers,
        ProfileRepository,
        ProfileService,
        ProfileWriter,
        profilerConfigProvider(env.OV_PROFILER_CONFIG),
        intentCatalogueProvider(env.OV_INTENT_CATALOGUE),
        {
          provide: StaffCredential,
          useValue: new StaffCredential(env.staff.tokens, env.staff.oidc),
        },
        { provide: PROFILER_LINKS, useValue: { secret: env.linkSecret } },
        idempotentConsumerProvider(PROFILER_INBOX, 'behaviour-profiler'),
      ],
    };
  }
}
