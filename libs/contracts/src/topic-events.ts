import { z } from 'zod';
import { cloudEventEnvelopeSchema } from './cloud-event';
import { decisionEventSchema } from './decisions';
import { deliveryEventSchema } from './deliveries';
import { erasureEventSchema } from './erasures';
import { profileEventSchema } from './profiles';
import {
  contactIntentDataSchema,
  INTERACTION_DATA_SCHEMAS,
  type InteractionEventType,
  PREFERENCE_CHANGED,
  preferenceChangedDataSchema,
  SURVEY_REQUESTED,
  surveyRequestedDataSchema,
} from './department-events';
import { Topics, type TopicName } from './topics';

const interactionEvent = <T extends InteractionEventType>(type: T) =>
  cloudEventEnvelopeSchema.extend({ type: z.literal(type), data: INTERACTION_DATA_SCHEMAS[type] });

/** Every interaction type with its own data, so handlers narrow on `type`. */
export const interactionEventSchema = z.discriminatedUnion('type', [
  interactionEvent('interaction.inbound_contact'),
  interactionEvent('interaction.self_service'),
  interactionEvent('interaction.payment'),
  interactionEvent('interaction.engagement'),
  interactionEvent('interaction.fulfilled'),
  interactionEvent('case.opened'),
  interactionEvent('case.closed'),
]);

/**
 * What each topic carries. Every consumer parses with these, so a handler's argument type
 * follows from the topic it consumes (see `TopicEvent`).
 */
export const TOPIC_EVENT_SCHEMAS = {
  [Topics.events]: cloudEventEnvelopeSchema,
  [Topics.contactRequests]: cloudEventEnvelopeSchema.extend({ data: contactIntentDataSchema }),
  [Topics.interactions]: interactionEventSchema,
  [Topics.surveyRequests]: z.union([
    cloudEventEnvelopeSchema.extend({
      type: z.literal(SURVEY_REQUESTED),
      data: surveyRequestedDataSchema,
    }),
    // A survey intent a department sent as a contact intent (survey.invite): it passes the
    // survey gate too, so one survey per window holds however a department asks.
    cloudEventEnvelopeSchema.extend({
      type: z.string().refine((t) => t !== SURVEY_REQUESTED),
      data: contactIntentDataSchema,
    }),
  ]),
  [Topics.preferences]: cloudEventEnvelopeSchema.extend({
    type: z.literal(PREFERENCE_CHANGED),
    data: preferenceChangedDataSchema,
  }),
  [Topics.profiles]: profileEventSchema,
  [Topics.decisions]: decisionEventSchema,
  [Topics.deliveries]: deliveryEventSchema,
  [Topics.deadLetters]: z.unknown(),
  [Topics.erasures]: erasureEventSchema,
} satisfies Record<TopicName, z.ZodType>;

export type TopicEvent<T extends TopicName> = z.output<(typeof TOPIC_EVENT_SCHEMAS)[T]>;

/** A message that could not be accepted: the reason, and the field at fault when there is one. */
export interface Rejection {
  reason: string;
  field?: string;
  issues?: { field: string; message: string }[];
}

export type Decoded<T> = { ok: true; event: T } | { ok: false; rejection: Rejection };

/** Turns zod issues into a rejection naming each field at fault (`data.intentKey`). */
export function rejectionFromZod(error: z.ZodError, prefix = ''): Rejection {
  const issues = closestBranch(error.issues).map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
  const first = issues[0] ?? { field: '(root)', message: 'invalid' };
  return {
    reason: `invalid ${first.field}: ${first.message}`,
    field: first.field,
    issues,
  };
}

/**
 * A value that matches no branch of a union is reported against the branch it came closest to
 * (fewest issues), so the reason names a field rather than "invalid input".
 */
function closestBranch(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const [first] = issues;
  if (issues.length !== 1 || first?.code !== 'invalid_union' || first.errors.length === 0)
    return [...issues];
  const best = [...first.errors].sort((a, b) => a.length - b.length)[0]!;
  return closestBranch(best.map((i) => ({ ...i, path: [...first.path, ...i.path] })));
}

/** Parses raw bytes from a topic with that topic's schema. Never throws. */
export function decodeTopicMessage<T extends TopicName>(
  topic: T,
  value: Buffer | null,
): Decoded<TopicEvent<T>> {
  return decodeMessage(TOPIC_EVENT_SCHEMAS[topic], value) as Decoded<TopicEvent<T>>;
}

/** Parses raw bytes with a schema: JSON first, then the schema. Never throws. */
export function decodeMessage<S extends z.ZodType>(
  schema: S,
  value: Buffer | null,
): Decoded<z.output<S>> {
  const json = parseMessage(value);
  return json.ok ? validateMessage(schema, json.value) : json;
}

/** The JSON of a message's raw bytes (not yet checked against any schema). Never throws. */
export function parseMessage(
  value: Buffer | null,
): { ok: true; value: unknown } | { ok: false; rejection: Rejection } {
  if (value === null || value.length === 0) {
    return { ok: false, rejection: { reason: 'empty message value', field: '(root)' } };
  }
  try {
    return { ok: true, value: JSON.parse(value.toString('utf8')) };
  } catch (err) {
    return {
      ok: false,
      rejection: { reason: `malformed JSON: ${(err as Error).message}`, field: '(root)' },
    };
  }
}

/** Checks parsed JSON against a schema. Never throws. */
export function validateMessage<S extends z.ZodType>(
  schema: S,
  json: unknown,
): Decoded<z.output<S>> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, rejection: rejectionFromZod(parsed.error) };
  return { ok: true, event: parsed.data };
}
