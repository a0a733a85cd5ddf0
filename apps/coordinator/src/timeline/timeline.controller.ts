import { Controller, Get, Headers, HttpException, HttpStatus, Param, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LedgerRepository } from '../ledger/ledger.repository';
import { StaffCredential } from '@onevoice/runtime';

/**
 * What a contact-centre agent reads when the customer calls: every request, decision (with its
 * reasons), delivery and interaction, in order. Documented in docs/openapi/coordinator.yaml.
 */
@Controller('v1/customers')
export class TimelineController {
  constructor(
    private readonly credential: StaffCredential,
    private readonly ledger: LedgerRepository,
    private readonly dataSource: DataSource,
  ) {}

  @Get(':customerId/timeline')
  async timeline(
    @Headers('authorization') authorization: string | undefined,
    @Param('customerId') customerId: string,
    @Query('limit') limitParam?: string,
  ) {
    await this.credential.authenticate(authorization);
    const limit = limitParam === undefined ? 1000 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new HttpException(
        {
          error: 'invalid_query',
          field: 'limit',
          message: 'limit is a whole number from 1 to 10000',
        },
        HttpStatus.BAD_REQUEST,
      );
    }
    const entries = await this.ledger.timeline(this.dataSource.manager, customerId, limit);
    return {
      customerId,
      entries: entries.map((e) => ({
        at: new Date(e.at).toISOString(),
        kind: e.kind,
        summary: e.summary,
        detail: e.detail,
      })),
    };
  }
}
