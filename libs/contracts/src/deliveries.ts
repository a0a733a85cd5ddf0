import { z } from 'zod';
import { channelSchema } from './channels';
import { cloudEventEnvelopeSchema } from './cloud-event';

export const DELIVERY_STATES = [
  'scheduled',
  /** The provider may or may not have taken it (it timed out); being reconciled, not resent. */
  'uncertain',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'clicked',
  'replied',
  /** Not sent: the customer refused it (an opt-out) after it was approved. */
  'cancelled',
] as const;
export const deliveryStateSchema = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

export const deliveryDataSchema = z
  .object({
    deliveryId: z.string().min(1),
    decisionId: z.string().min(1),
    requestId: z.string().min(1),
    intentType: z.string().min(1),
    intentKey: z.string().min(1),
    channel: channelSchema,
    state: deliveryStateSchema,
    provider: z.string().min(1),
    attempt: z.number().int().min(0),
    detail: z.string().optional(),
  })
  .loose();
export type DeliveryData = z.infer<typeof deliveryDataSchema>;

export const deliveryEventType = (state: DeliveryState) => `ov.delivery.${state}` as const;

export const deliveryEventSchema = cloudEventEnvelopeSchema.extend({
  type: z.enum(DELIVERY_STATES.map(deliveryEventType) as [string, ...string[]]),
  data: deliveryDataSchema,
});
