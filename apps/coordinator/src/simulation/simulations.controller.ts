import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
} from '@nestjs/common';
import {
  intentCatalogueSchema,
  Topics,
  type IntentCatalogue,
  type Permissions,
} from '@onevoice/contracts';
import { MessageBus } from '@onevoice/messaging';
import { compilePolicy, policyConfigSchema, type Policy } from '@onevoice/policy';
import { INTENT_CATALOGUE, PERMISSIONS, StaffCredential } from '@onevoice/runtime';
import { Clock } from '@onevoice/clock';
import { z } from 'zod';
import { POLICY } from '../policy/policy.provider';
import type { GateSetup } from './customer-world';
import { compareReplays, HTTP_REPLAY_LIMITS, recordedTraffic, ReplayTooLarge } from './replay';

/** The profiler's and the survey gate's settings a replay runs with (the files in force). */
export const REPLAY_STEPS = Symbol('ReplaySteps');
export type ReplaySteps = Pick<GateSetup, 'profiler' | 'surveys'>;

const isoTime = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' });
const simulationRequestSchema = z
  .object({
    /** The changed policy, as config/policy.yaml would hold it (as JSON). */
    policy: policyConfigSchema,
    catalogue: intentCatalogueSchema.optional(),
    /** The traffic to replay; else ov.events.v1 from `from` to `to`. */
    events: z.array(z.unknown()).max(HTTP_REPLAY_LIMITS.maxEvents).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    customers: z.array(z.string().min(1)).max(HTTP_REPLAY_LIMITS.maxCustomers).optional(),
  })
  .strict()
  .refine((b) => b.events !== undefined || b.from !== undefined, {
    path: ['from'],
    message: 'give the events to replay, or from when to read them on ov.events.v1',
  });

/**
 * `POST /v1/simulations` (staff): the traffic OneVoice received, decided again under a changed
 * policy on a virtual clock, compared with the policy in force — without touching the ledger,
 * the topics' offsets or anything sent. Bounded: at most 50,000 events of 5,000 customers.
 */
@Controller('v1/simulations')
export class SimulationsController {
  constructor(
    private readonly credential: StaffCredential,
    private readonly clock: Clock,
    private readonly bus: MessageBus,
    @Inject(POLICY) private readonly policy: Policy,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    @Inject(PERMISSIONS) private readonly permissions: Permissions,
    @Inject(REPLAY_STEPS) private readonly steps: ReplaySteps,
  ) {}

  @Post()
  @HttpCode(200)
  async simulate(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ) {
    await this.credential.authenticate(authorization);
    const parsed = simulationRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpException(
        { error: 'invalid_body', field: issue.path.join('.'), message: issue.message },
        HttpStatus.BAD_REQUEST,
      );
    }
    const request = parsed.data;
    const before: GateSetup = {
      policy: this.policy,
      catalogue: this.catalogue,
      permissions: this.permissions,
      ...this.steps,
    };
    const after: GateSetup = {
      ...before,
      policy: { ...compilePolicy(request.policy), timeZones: this.policy.timeZones },
      ...(request.catalogue ? { catalogue: request.catalogue } : {}),
    };
    const from = request.from ? Date.parse(request.from) : undefined;
    const to = request.to ? Date.parse(request.to) : this.clock.now().getTime();
    const raw =
      request.events ??
      (await this.bus
        .readRange(Topics.events, {
          ...(from !== undefined ? { from } : {}),
          maxRecords: HTTP_REPLAY_LIMITS.maxEvents * 4,
        })
        .catch((e: unknown) => {
          throw new HttpException(
            { error: 'too_large', field: 'from', message: (e as Error).message },
            HttpStatus.PAYLOAD_TOO_LARGE,
          );
        }));
    const traffic = recordedTraffic(raw, before, {
      ...(from !== undefined ? { from } : {}),
      to,
      ...(request.customers ? { customers: new Set(request.customers) } : {}),
    });
    try {
      return compareReplays(before, after, traffic, { end: to, limits: HTTP_REPLAY_LIMITS });
    } catch (e) {
      if (e instanceof ReplayTooLarge)
        throw new HttpException(
          { error: 'too_large', field: request.events ? 'events' : 'from', message: e.message },
          HttpStatus.PAYLOAD_TOO_LARGE,
        );
      throw e;
    }
  }
}
