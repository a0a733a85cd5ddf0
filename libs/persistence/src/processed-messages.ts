/**
 * The table in which a consuming service records every message it has processed, in the same
 * transaction as the work the message caused, together with what that work published.
 * Each service creates it in its own schema from its first migration.
 */
export const CREATE_PROCESSED_MESSAGES = `
  CREATE TABLE processed_messages (
    consumer      text        NOT NULL,
    message_id    text        NOT NULL,
    source_topic  text        NOT NULL,
    source_partition integer  NOT NULL,
    source_offset bigint      NOT NULL,
    outputs       jsonb       NOT NULL DEFAULT '[]'::jsonb,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
  )`;

export const DROP_PROCESSED_MESSAGES = 'DROP TABLE processed_messages';
