import { z } from 'zod';
import { DEPARTMENTS, departmentSchema, type Department } from './channels';
import { PREFERENCE_CHANGED } from './department-events';
import { smsKeyword } from './sms-keywords';

/** An event type, a family of them (`interaction.*`, `billing.*`), or every one (`*`). */
const typePatternSchema = z.string().regex(/^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/, {
  error: 'an event type, a prefix ending in ".*", or "*"',
});

const departmentPermissionSchema = z
  .object({
    /** Intent types from the catalogue it may publish. */
    intents: z.array(typePatternSchema),
    /** Other event types it may publish: interaction.*, case.*, survey.requested, preference.changed. */
    events: z.array(typePatternSchema),
    /** Whose intents its fulfilments (`interaction.fulfilled`, a payment that settles one) call off. */
    fulfils: z.enum(['own', 'any']),
  })
  .strict();
export type DepartmentPermission = z.infer<typeof departmentPermissionSchema>;

/**
 * Who may speak for whom (`config/permissions.yaml`, `OV_PERMISSIONS`): what each department may
 * publish. `default` holds for every department; a department's own entry replaces the fields it
 * names. docs/design.md §11 has the table as shipped.
 */
export const permissionsSchema = z
  .object({
    version: z.string().min(1),
    default: departmentPermissionSchema,
    departments: z
      .partialRecord(departmentSchema, departmentPermissionSchema.partial().strict())
      .default({}),
  })
  .strict();
export type Permissions = z.infer<typeof permissionsSchema>;

/** A department's permissions: its own entry over the default. */
export function permissionOf(
  permissions: Permissions,
  department: Department,
): DepartmentPermission {
  return { ...permissions.default, ...permissions.departments[department] };
}

const matches = (patterns: readonly string[], type: string) =>
  patterns.some(
    (p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );

/** Why `department` may not publish this event (the field at fault and the reason); none if it may. */
export function publishRefusal(
  permissions: Permissions,
  department: string,
  event: { type: string; data: unknown },
  isIntent: boolean,
): { field: string; reason: string } | undefined {
  if (!(DEPARTMENTS as readonly string[]).includes(department)) return undefined;
  const p = permissionOf(permissions, department as Department);
  if (!matches(isIntent ? p.intents : p.events, event.type))
    return {
      field: 'type',
      reason:
        event.type === PREFERENCE_CHANGED
          ? `"${department}" may not publish ${PREFERENCE_CHANGED}: a customer's choices come from the customer, through a department that talks to them (permissions ${permissions.version})`
          : `"${department}" may not publish "${event.type}" (permissions ${permissions.version})`,
    };
  // A re-consent is the customer's: passed on with the wording they agreed to.
  const change = event.data as { optIn?: unknown[]; wordingVersion?: unknown } | null;
  if (event.type === PREFERENCE_CHANGED && change?.optIn?.length && !change.wordingVersion)
    return {
      field: 'data.wordingVersion',
      reason:
        'an opt-in passed on by a department names the wording the customer agreed to (wordingVersion): a re-consent comes only from the customer',
    };
  // STOP, START and HELP are the customer's own words to the carrier: they arrive only on the
  // provider's inbound path (the dispatcher), never as a department's say-so.
  const data = event.data as { channel?: unknown; text?: unknown } | null;
  if (
    event.type === 'interaction.inbound_contact' &&
    data?.channel === 'sms' &&
    typeof data.text === 'string' &&
    smsKeyword(data.text) !== undefined
  )
    return {
      field: 'data.text',
      reason: `an SMS keyword (STOP, START, HELP) reaches OneVoice only from the SMS provider's inbound path, not from "${department}"`,
    };
  return undefined;
}

/**
 * Whose requests a department's fulfilment calls off: `department`'s own (the default), or
 * anyone's (undefined) for a department allowed to fulfil any intent.
 */
export function fulfilmentScope(permissions: Permissions, department: string): string | undefined {
  if (!(DEPARTMENTS as readonly string[]).includes(department)) return undefined;
  return permissionOf(permissions, department as Department).fulfils === 'any'
    ? undefined
    : department;
}
