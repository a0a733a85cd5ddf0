import type { Provider } from '@nestjs/common';
import {
  CUSTOMER_ERASER,
  ERASE_OUTBOX,
  ERASE_PROCESSED_OUTPUTS,
  eraseFrom,
  type CustomerEraser,
} from '@onevoice/persistence';
import { SurveyLedgerRepository } from '../ledger/survey-ledger.repository';

/** What the survey gate holds of a customer: surveys asked for, open cases, contacts. */
export const surveyThrottlerEraser: Provider<CustomerEraser> = {
  provide: CUSTOMER_ERASER,
  inject: [SurveyLedgerRepository],
  useFactory: (ledger: SurveyLedgerRepository): CustomerEraser => ({
    service: 'survey-throttler',
    before: (tx, customerId) => ledger.lockCustomer(tx, customerId),
    steps: [
      ...['surveys', 'cases', 'contacts'].map(eraseFrom),
      ERASE_OUTBOX,
      ERASE_PROCESSED_OUTPUTS,
    ],
  }),
};
