import type { Provider } from '@nestjs/common';
import {
  CUSTOMER_ERASER,
  ERASE_PROCESSED_OUTPUTS,
  type CustomerEraser,
} from '@onevoice/persistence';

/** What ingest holds of a customer: the routed events it keeps to publish again on redelivery. */
export const ingestEraser: Provider<CustomerEraser> = {
  provide: CUSTOMER_ERASER,
  useValue: { service: 'ingest', steps: [ERASE_PROCESSED_OUTPUTS] } satisfies CustomerEraser,
};
