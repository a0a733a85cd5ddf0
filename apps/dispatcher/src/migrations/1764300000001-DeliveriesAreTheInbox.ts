import { CREATE_PROCESSED_MESSAGES, DROP_PROCESSED_MESSAGES } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deliveries table is the dispatcher's inbox (a delivery's id is its decision's): the
 * separate record of processed decisions is no longer written, and goes.
 */
export class DeliveriesAreTheInbox1764300000001 implements MigrationInterface {
  name = 'DeliveriesAreTheInbox1764300000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(DROP_PROCESSED_MESSAGES);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(CREATE_PROCESSED_MESSAGES);
  }
}
