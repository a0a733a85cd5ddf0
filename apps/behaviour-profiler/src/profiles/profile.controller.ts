import {
  Body,
  Controller,
  Get,
  Headers,
  HttpException,
  HttpStatus,
  Param,
  Put,
} from '@nestjs/common';
import { rejectionFromZod } from '@onevoice/contracts';
import { StaffCredential } from '@onevoice/runtime';
import { DataSource } from 'typeorm';
import { emptyBehaviour, noPreferences, replacePreferences } from '@onevoice/policy';
import { preferencesBodySchema } from './preferences-body';
import { ProfileRepository } from './profile.repository';
import { ProfileService } from './profile.service';
import { ProfileWriter } from './profile-writer';
import { Clock } from '@onevoice/clock';

/**
 * The profile and preferences over HTTP, for contact-centre agents and staff tools (staff
 * credential). Documented in docs/openapi/behaviour-profiler.yaml.
 */
@Controller('v1/customers')
export class ProfileController {
  constructor(
    private readonly clock: Clock,
    private readonly credential: StaffCredential,
    private readonly dataSource: DataSource,
    private readonly repo: ProfileRepository,
    private readonly profiles: ProfileService,
    private readonly writer: ProfileWriter,
  ) {}

  /** The profile, explaining itself: why a channel is preferred, with evidence and confidence. */
  @Get(':customerId/profile')
  async profile(
    @Headers('authorization') authorization: string | undefined,
    @Param('customerId') customerId: string,
  ) {
    await this.credential.authenticate(authorization);
    const row = (await this.repo.find(this.dataSource.manager, customerId)) ?? {
      customerId,
      behaviour: emptyBehaviour(),
      preferences: noPreferences(),
      version: 0,
      publishedKey: null,
    };
    return this.profiles.explain(row, this.clock.now());
  }

  @Get(':customerId/preferences')
  async preferences(
    @Headers('authorization') authorization: string | undefined,
    @Param('customerId') customerId: string,
  ) {
    await this.credential.authenticate(authorization);
    const row = await this.repo.find(this.dataSource.manager, customerId);
    return {
      customerId,
      version: row?.version ?? 0,
      preferences: row?.preferences ?? noPreferences(),
      consentLedger: await this.repo.consentLedger(this.dataSource.manager, customerId),
    };
  }

  /** Replaces the customer's choices; the consent ledger records each change, the profile follows. */
  @Put(':customerId/preferences')
  async replace(
    @Headers('authorization') authorization: string | undefined,
    @Param('customerId') customerId: string,
    @Body() body: unknown,
  ) {
    const { agent } = await this.credential.authenticate(authorization);
    const parsed = preferencesBodySchema.safeParse(body ?? {});
    if (!parsed.success) {
      const r = rejectionFromZod(parsed.error);
      throw new HttpException(
        { error: 'invalid_body', field: r.field, message: r.reason, issues: r.issues },
        HttpStatus.BAD_REQUEST,
      );
    }
    const { via, wordingVersion, ...prefs } = parsed.data;
    const row = await this.writer.change(customerId, (r) => {
      const { prefs: next, entries } = replacePreferences(r.preferences, prefs, {
        at: this.clock.now(),
        via,
        // The ledger names the agent who made the change.
        source: `staff:${agent}`,
        ...(wordingVersion ? { wordingVersion } : {}),
      });
      // Lifting an opt-out is a re-consent: the customer's, with what they were told.
      const lifted = entries
        .filter((e) => e.action === 'opted_in')
        .map((e) => [e.channel, e.scope].filter(Boolean).join(' for '));
      if (lifted.length > 0 && !wordingVersion)
        throw new HttpException(
          {
            error: 'not_permitted',
            field: 'wordingVersion',
            message: `lifting an opt-out (${lifted.join(', ')}) needs the wording the customer agreed to: a re-consent comes only from the customer`,
          },
          HttpStatus.FORBIDDEN,
        );
      r.preferences = next;
      return entries;
    });
    return { customerId, version: row.version, preferences: row.preferences };
  }
}
