import { z } from 'zod';

/** A customer id: what `subject` holds and Kafka keys by (an E.164 number such as +15551234567 is one). */
export const customerIdSchema = (field: string) =>
  z
    .string()
    .trim()
    .min(1, `${field} must be the customer id`)
    .max(200)
    .regex(/^[A-Za-z0-9._:@+-]+$/, `${field} (customer id) may hold letters, digits and ._:@+-`);

/**
 * The CloudEvents 1.0 envelope in structured JSON mode. Every OneVoice topic carries these;
 * `subject` is always the customer id and the Kafka key.
 */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0', { error: 'specversion must be "1.0"' }),
  id: z.string().trim().min(1, 'id must be a non-empty string').max(200),
  source: z.string().trim().min(1, 'source must be a non-empty string').max(200),
  type: z.string().trim().min(1, 'type must be a non-empty string').max(200),
  subject: customerIdSchema('subject'),
  time: z.iso.datetime({ offset: true, error: 'time must be an RFC 3339 timestamp' }).optional(),
  datacontenttype: z.literal('application/json').optional(),
  dataschema: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

export type CloudEventEnvelope = z.infer<typeof cloudEventEnvelopeSchema>;

/** A CloudEvent whose `type` and `data` are known. */
export interface CloudEvent<TType extends string = string, TData = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: TType;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: TData;
  [extension: string]: unknown;
}

/** Builds a CloudEvent emitted by a OneVoice service. */
export function cloudEvent<TType extends string, TData>(fields: {
  id: string;
  source: string;
  type: TType;
  subject: string;
  time: Date | string;
  data: TData;
}): CloudEvent<TType, TData> {
  return {
    specversion: '1.0',
    id: fields.id,
    source: fields.source,
    type: fields.type,
    subject: fields.subject,
    time: typeof fields.time === 'string' ? fields.time : fields.time.toISOString(),
    datacontenttype: 'application/json',
    data: fields.data,
  };
}
