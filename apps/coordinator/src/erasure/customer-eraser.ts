import type { Provider } from '@nestjs/common';
import {
  CUSTOMER_ERASER,
  ERASE_OUTBOX,
  ERASE_PROCESSED_OUTPUTS,
  eraseFrom,
  type CustomerEraser,
} from '@onevoice/persistence';
import { LedgerCache } from '../ledger/ledger-cache';
import { LedgerRepository } from '../ledger/ledger.repository';

/**
 * What the coordinator holds of a customer, all of it erased under the customer's lock: requests
 * (with their variables), decisions and the timeline, cases, fulfilments, the last inbound
 * contact, its copy of the profile; then the ledger kept in memory.
 */
export const coordinatorEraser: Provider<CustomerEraser> = {
  provide: CUSTOMER_ERASER,
  inject: [LedgerRepository, LedgerCache],
  useFactory: (ledger: LedgerRepository, cache: LedgerCache): CustomerEraser => ({
    service: 'coordinator',
    before: (tx, customerId) => ledger.lockCustomer(tx, customerId),
    steps: [
      ...[
        'requests',
        'decision_log',
        'timeline',
        'cases',
        'fulfilments',
        'last_inbound',
        'profiles',
      ].map(eraseFrom),
      ERASE_OUTBOX,
      ERASE_PROCESSED_OUTPUTS,
      eraseFrom('ledger_versions'),
    ],
    after: (customerId) => {
      cache.drop(customerId);
      return Promise.resolve({});
    },
  }),
};
