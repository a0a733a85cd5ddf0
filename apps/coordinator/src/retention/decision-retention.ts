import type { Provider } from '@nestjs/common';
import { retentionProvider } from '@onevoice/persistence';

/**
 * Decisions forget the personal part of what they carried (the variables, the action link, the
 * merged requests' content) after `OV_DECISION_RETENTION`, and so do settled requests; what was
 * decided, on which channel and why stays on the timeline.
 */
export function decisionRetention(settings: { retentionMs: number; passMs: number }): Provider {
  return retentionProvider('DecisionRetention', settings, [
    {
      what: 'decision_log (variables, action, merged)',
      sql: `UPDATE decision_log
                     SET event = jsonb_set(event, '{data}', (event->'data') - 'variables' - 'action' - 'merged')
                   WHERE decision_id IN (
                     SELECT decision_id FROM decision_log
                      WHERE decided_at < $1 AND event->'data' ? 'variables'
                      LIMIT $2)`,
    },
    {
      what: 'requests (variables, action)',
      sql: `UPDATE requests SET request = request - 'variables' - 'action'
                   WHERE request_key IN (
                     SELECT request_key FROM requests
                      WHERE received_at < $1 AND (status = 'suppressed' OR sent)
                        AND request ? 'variables'
                      LIMIT $2)`,
    },
  ]);
}
