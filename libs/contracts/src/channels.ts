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

/** Departments that may publish events; each has its own credential (DESIGN.md section 10). */
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
