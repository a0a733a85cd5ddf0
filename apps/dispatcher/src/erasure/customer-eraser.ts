import type { Provider } from '@nestjs/common';
import {
  CUSTOMER_ERASER,
  ERASE_OUTBOX,
  eraseFrom,
  type CustomerEraser,
} from '@onevoice/persistence';
import { CHANNEL_ADAPTERS, type ChannelAdapters } from '../channels/channel-adapter';

/**
 * What the dispatcher holds of a customer: deliveries (with their rendered bodies), the refusals
 * it checks at send time, events not yet published; then the letter files not yet collected.
 */
export const dispatcherEraser: Provider<CustomerEraser> = {
  provide: CUSTOMER_ERASER,
  inject: [CHANNEL_ADAPTERS],
  useFactory: (adapters: ChannelAdapters): CustomerEraser => {
    // The letters' keys, read in the transaction that deletes their rows, for the files after it.
    const letters = new Map<string, string[]>();
    return {
      service: 'dispatcher',
      before: async (tx, customerId) => {
        const rows = (await tx.query(
          `SELECT delivery_id FROM deliveries WHERE customer_id = $1 AND channel = 'letter'`,
          [customerId],
        )) as { delivery_id: string }[];
        letters.set(
          customerId,
          rows.map((r) => r.delivery_id),
        );
      },
      steps: [eraseFrom('deliveries'), eraseFrom('refusals'), ERASE_OUTBOX],
      after: async (customerId) => {
        const keys = letters.get(customerId) ?? [];
        letters.delete(customerId);
        const letter = adapters.for('letter');
        let files = 0;
        for (const key of keys) if (await letter.erase?.(key)) files++;
        return { 'letter files': files };
      },
    };
  },
};
