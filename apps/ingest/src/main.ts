import './instrument';
import { main, runService } from '@onevoice/runtime';
import { loadIngestEnv } from './config/env';
import { IngestModule } from './ingest.module';

main(async () => {
  const env = loadIngestEnv();
  return runService({ name: 'ingest', module: IngestModule.forRoot(env), env });
}, 'ingest');
