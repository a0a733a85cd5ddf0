import { z } from 'zod';
import { cloudEventEnvelopeSchema } from './cloud-event';

/** A customer is to be erased everywhere (`DELETE /v1/customers/{id}`): every service acts on it. */
export const CUSTOMER_ERASED = 'customer.erased';
/** A service has erased the customer: what it removed, by table. */
export const ERASURE_DONE = 'customer.erasure_done';

/** The services that hold personal data and confirm an erasure; it is done when all have. */
export const ERASING_SERVICES = [
  'ingest',
  'behaviour-profiler',
  'coordinator',
  'dispatcher',
  'survey-throttler',
] as const;
export const erasingServiceSchema = z.enum(ERASING_SERVICES);
export type ErasingService = z.infer<typeof erasingServiceSchema>;

export const erasureEventSchema = z.discriminatedUnion('type', [
  cloudEventEnvelopeSchema.extend({
    type: z.literal(CUSTOMER_ERASED),
    data: z.object({
      erasureId: z.string().min(1).max(100),
      /** The staff member who asked for it. */
      agent: z.string().min(1).max(200),
    }),
  }),
  cloudEventEnvelopeSchema.extend({
    type: z.literal(ERASURE_DONE),
    data: z.object({
      erasureId: z.string().min(1).max(100),
      service: erasingServiceSchema,
      /** Rows (or files) removed or reduced, by what held them. */
      removed: z.record(z.string(), z.number().int().nonnegative()),
    }),
  }),
]);
export type ErasureEvent = z.infer<typeof erasureEventSchema>;

/** The Kafka header that makes an outbound message a tombstone (a null value) on a compacted topic. */
export const TOMBSTONE_HEADER = 'ov-tombstone';
