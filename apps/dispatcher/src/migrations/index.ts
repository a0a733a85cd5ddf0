import { ErasedCustomers1764800000000 } from '@onevoice/persistence';
import { DispatcherInit1763900000000 } from './1763900000000-DispatcherInit';
import { DispatcherSchedule1763910000000 } from './1763910000000-DispatcherSchedule';
import { DeliveryAttempts1764200000000 } from './1764200000000-DeliveryAttempts';
import { DeliveryFallback1764300000000 } from './1764300000000-DeliveryFallback';
import { DeliveriesAreTheInbox1764300000001 } from './1764300000001-DeliveriesAreTheInbox';
import { DeliveryPriority1764400000000 } from './1764400000000-DeliveryPriority';
import { DropDeliveriesByCustomer1764500000000 } from './1764500000000-DropDeliveriesByCustomer';
import { CustomerRefusals1764600000000 } from './1764600000000-CustomerRefusals';
import { RefusalsDoNotDisturb1764800000001 } from './1764800000001-RefusalsDoNotDisturb';
import { WaitingKeywordAnswers1764800000002 } from './1764800000002-WaitingKeywordAnswers';
import { DeliveryMaybeTaken1764900000000 } from './1764900000000-DeliveryMaybeTaken';

/** The dispatcher schema's migrations, in order. */
export const DISPATCHER_MIGRATIONS = [
  DispatcherInit1763900000000,
  DispatcherSchedule1763910000000,
  DeliveryAttempts1764200000000,
  DeliveryFallback1764300000000,
  DeliveriesAreTheInbox1764300000001,
  DeliveryPriority1764400000000,
  DropDeliveriesByCustomer1764500000000,
  CustomerRefusals1764600000000,
  ErasedCustomers1764800000000,
  RefusalsDoNotDisturb1764800000001,
  WaitingKeywordAnswers1764800000002,
  DeliveryMaybeTaken1764900000000,
];
