import './instrument';
import { main, runService } from '@onevoice/runtime';
import { loadDispatcherEnv } from './config/env';
import { DispatcherModule } from './dispatcher.module';

main(async () => {
  const env = loadDispatcherEnv();
  return runService({ name: 'dispatcher', module: DispatcherModule.forRoot(env), env });
}, 'dispatcher');
