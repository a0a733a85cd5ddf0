import { z } from 'zod';

/** Channels OneVoice can reach a customer on. */
export const CHANNELS = ['email', 'sms', 'push', 'voice', 'letter', 'in_app', 'chat'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

/** Places a customer can act; a superset of the channels (web, app, social, store). */
export const TOUCHPOINTS = [...CHANNELS, 'web', 'app', 'social', 'store'] as const;
export const touchpointSchema = z.enum(TOUCHPOINTS);
export type Touchpoint = z.infer<typeof touchpointSchema>;

export const CATEGORIES = [
  'service',
  'outage',
  'billing',
  'collections',
  'usage',
  'account',
  'promotion',
  'survey',
] as const;
export const categorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof categorySchema>;

export const URGENCIES = ['critical', 'high', 'normal', 'low'] as const;
export const urgencySchema = z.enum(URGENCIES);
export type Urgency = z.infer<typeof urgencySchema>;

/** Departments that may publish events; each has its own credential (docs/design.md §11). */
export const DEPARTMENTS = [
  'billing',
  'collections',
  'loyalty',
  'care',
  'network',
  'sales',
  'surveys',
  'digital',
] as const;
export const departmentSchema = z.enum(DEPARTMENTS);
export type Department = z.infer<typeof departmentSchema>;

/** A local time of day, HH:MM on a 24-hour clock (quiet hours). */
export const clockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

const knownZones = new Map<string, boolean>();
/** Whether the runtime knows an IANA time zone name (asked once per name: it is not cheap). */
export function isKnownTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Bounded: names are few, but a flood of made-up ones must not grow it without end.
    if (knownZones.size < 10_000) knownZones.set(zone, known);
  }
  return known;
}

export const timeZoneSchema = z
  .string()
  .refine(isKnownTimeZone, 'must be an IANA time zone such as Europe/Berlin');

/**
 * Kinds of message a customer may stop altogether (a one-click unsubscribe, a box on the
 * preference page). Bills, outages and account messages always reach them, on the channel they
 * choose.
 */
export const OPTIONAL_CATEGORIES = [
  'promotion',
  'survey',
  'usage',
] as const satisfies readonly Category[];

/** Whether a customer may stop this kind of message altogether (see OPTIONAL_CATEGORIES). */
export const isOptionalCategory = (category: string): boolean =>
  (OPTIONAL_CATEGORIES as readonly string[]).includes(category);
