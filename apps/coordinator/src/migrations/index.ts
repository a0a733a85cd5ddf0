import { ErasedCustomers1764800000000 } from '@onevoice/persistence';
import { CoordinatorInit1763900000000 } from './1763900000000-CoordinatorInit';
import { CoordinatorLedger1763910000000 } from './1763910000000-CoordinatorLedger';
import { RequestsAreTheInbox1764500000000 } from './1764500000000-RequestsAreTheInbox';
import { TimelineFromTheLedger1764500000001 } from './1764500000001-TimelineFromTheLedger';
import { LedgerVersions1764600000000 } from './1764600000000-LedgerVersions';
import { FulfilmentsBySource1764700000000 } from './1764700000000-FulfilmentsBySource';

/** The coordinator schema's migrations, in order. */
export const COORDINATOR_MIGRATIONS = [
  CoordinatorInit1763900000000,
  CoordinatorLedger1763910000000,
  RequestsAreTheInbox1764500000000,
  TimelineFromTheLedger1764500000001,
  LedgerVersions1764600000000,
  FulfilmentsBySource1764700000000,
  ErasedCustomers1764800000000,
];
