import { CREATE_PROCESSED_MESSAGES, DROP_PROCESSED_MESSAGES } from '@onevoice/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BehaviourProfilerInit1763900000000 implements MigrationInterface {
  name = 'BehaviourProfilerInit1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(CREATE_PROCESSED_MESSAGES);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(DROP_PROCESSED_MESSAGES);
  }
}
