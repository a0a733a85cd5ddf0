import './instrument';
import { main, runService } from '@onevoice/runtime';
import { loadBehaviourProfilerEnv } from './config/env';
import { BehaviourProfilerModule } from './behaviour-profiler.module';

main(async () => {
  const env = loadBehaviourProfilerEnv();
  return runService({
    name: 'behaviour-profiler',
    module: BehaviourProfilerModule.forRoot(env),
    env,
    // The preference centre's form and one-click unsubscribe post forms.
    forms: true,
  });
}, 'behaviour-profiler');
