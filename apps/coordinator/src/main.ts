import './instrument';
import { main, runService } from '@onevoice/runtime';
import { loadCoordinatorEnv } from './config/env';
import { CoordinatorModule } from './coordinator.module';

main(async () => {
  const env = loadCoordinatorEnv();
  return runService({ name: 'coordinator', module: CoordinatorModule.forRoot(env), env });
}, 'coordinator');
