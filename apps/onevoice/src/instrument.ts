import { startTracing } from '@onevoice/observability';

// Before anything loads http or pg, so their instrumentation applies.
startTracing('onevoice');
