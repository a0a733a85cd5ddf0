import {
  allowedChannelsOf,
  cloudEventEnvelopeSchema,
  contactIntentDataSchema,
  DEPARTMENTS,
  isWebUrl,
  INTERACTION_DATA_SCHEMAS,
  PREFERENCE_CHANGED,
  preferenceChangedDataSchema,
  publishRefusal,
  rejectionFromZod,
  SURVEY_REQUESTED,
  surveyRequestedDataSchema,
  Topics,
  type Channel,
  type CloudEvent,
  type IntentCatalogue,
  type Permissions,
  type Rejection,
  type TopicName,
} from '@onevoice/contracts';
import type { z } from 'zod';

export type Validated =
  | { ok: true; event: CloudEvent; topic: TopicName }
  /** `forbidden`: well-formed, but not the sending department's to publish (permissions). */
  | { ok: false; rejection: Rejection; forbidden?: true };

/** How large an event's `data` may be: a message's words and a few variables, never a payload. */
export const DATA_MAX_BYTES = 64 * 1024;
/** How deep `data` may nest: templates read flat variables. */
export const DATA_MAX_DEPTH = 16;

/** How deep a parsed JSON value nests (without recursion: a hostile value may nest thousands deep). */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Why `data` is too large or too deep to take, if it is. */
function oversized(data: Record<string, unknown>): string | undefined {
  const depth = jsonDepth(data);
  if (depth > DATA_MAX_DEPTH) return `data nests ${depth} levels deep; at most ${DATA_MAX_DEPTH}`;
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > DATA_MAX_BYTES)
    return `data is ${Math.ceil(bytes / 1024)} KiB; at most ${DATA_MAX_BYTES / 1024} KiB`;
  return undefined;
}

/**
 * Validates what a department sent and decides which topic it belongs on. Pure: the same input,
 * catalogue and clock give the same answer, on the HTTP and the Kafka path alike.
 */
export function validateDepartmentEvent(
  input: unknown,
  catalogue: IntentCatalogue,
  permissions: Permissions,
  now: Date,
  /** `httpActions`: action URLs may be `http:` (a test system); otherwise `https:` only. */
  options: { httpActions?: boolean } = {},
): Validated {
  const envelope = cloudEventEnvelopeSchema.safeParse(input);
  if (!envelope.success) return { ok: false, rejection: rejectionFromZod(envelope.error) };
  const e = envelope.data;
  const tooBig = oversized(e.data);
  if (tooBig) return { ok: false, rejection: { reason: tooBig, field: 'data' } };
  if (!(DEPARTMENTS as readonly string[]).includes(e.source)) {
    return {
      ok: false,
      rejection: {
        reason: `unknown source "${e.source}": the source is the sending department (${DEPARTMENTS.join(', ')})`,
        field: 'source',
      },
    };
  }
  const route = routeOf(e.type, catalogue);
  if (!route) {
    return {
      ok: false,
      rejection: {
        reason:
          `unknown event type "${e.type}": not an intent in the catalogue (version ${catalogue.version}) ` +
          'nor one of interaction.*, case.*, survey.requested, preference.changed',
        field: 'type',
      },
    };
  }
  const data = route.data.safeParse(e.data);
  if (!data.success) return { ok: false, rejection: rejectionFromZod(data.error, 'data') };
  const actionUrl = (data.data as { action?: { url?: string } }).action?.url;
  if (actionUrl !== undefined && !options.httpActions && !isWebUrl(actionUrl, false))
    return {
      ok: false,
      rejection: {
        reason: 'an action URL must be https: (http: only where OV_ALLOW_HTTP_ACTION_URLS is set)',
        field: 'data.action.url',
      },
    };
  const refused = publishRefusal(
    permissions,
    e.source,
    { type: e.type, data: data.data },
    Object.hasOwn(catalogue.intents, e.type),
  );
  if (refused) return { ok: false, rejection: refused, forbidden: true };
  const intent = catalogue.intents[e.type];
  const channels = (data.data as { channels?: Channel[] }).channels;
  if (intent && channels && allowedChannelsOf(intent, channels)?.length === 0)
    return {
      ok: false,
      rejection: {
        reason: `none of these channels may carry "${e.type}": the catalogue (version ${catalogue.version}) allows ${intent.channels!.join(', ')}`,
        field: 'data.channels',
      },
    };
  return {
    ok: true,
    topic: route.topic,
    event: {
      ...e,
      time: e.time ?? now.toISOString(),
      datacontenttype: 'application/json',
      data: data.data as Record<string, unknown>,
    },
  };
}

function routeOf(
  type: string,
  catalogue: IntentCatalogue,
): { topic: TopicName; data: z.ZodType } | undefined {
  if (Object.hasOwn(catalogue.intents, type)) {
    // Survey intents pass the survey gate first: one survey per window, however it is asked.
    const topic =
      catalogue.intents[type]!.category === 'survey'
        ? Topics.surveyRequests
        : Topics.contactRequests;
    return { topic, data: contactIntentDataSchema };
  }
  if (Object.hasOwn(INTERACTION_DATA_SCHEMAS, type)) {
    return {
      topic: Topics.interactions,
      data: INTERACTION_DATA_SCHEMAS[type as keyof typeof INTERACTION_DATA_SCHEMAS],
    };
  }
  if (type === SURVEY_REQUESTED)
    return { topic: Topics.surveyRequests, data: surveyRequestedDataSchema };
  if (type === PREFERENCE_CHANGED)
    return { topic: Topics.preferences, data: preferenceChangedDataSchema };
  return undefined;
}
