import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The answers to a customer's STOP or START that wait for the change to be recorded, by customer:
 * every profile the dispatcher reads looks for them, and without this that look is a scan of
 * every scheduled delivery. Only those answers are in it, so recording other deliveries costs
 * nothing more.
 */
export class WaitingKeywordAnswers1764800000002 implements MigrationInterface {
  name = 'WaitingKeywordAnswers1764800000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX deliveries_waiting_answers ON deliveries (customer_id)
        WHERE state = 'scheduled' AND intent_type IN ('sms.stop_reply', 'sms.start_reply')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX deliveries_waiting_answers');
  }
}
