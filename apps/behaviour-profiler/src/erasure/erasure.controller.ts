import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Res,
} from '@nestjs/common';
import { customerIdSchema, rejectionFromZod } from '@onevoice/contracts';
import { StaffCredential } from '@onevoice/runtime';
import type { Response } from 'express';
import { ErasureService } from './erasure.service';

/**
 * Erasure over HTTP (staff credential; docs/openapi/behaviour-profiler.yaml): erase a customer
 * everywhere, and see when every service has finished.
 */
@Controller('v1')
export class ErasureController {
  constructor(
    private readonly credential: StaffCredential,
    private readonly erasures: ErasureService,
  ) {}

  /** 202: every service is told (`customer.erased`); `GET /v1/erasures/{id}` says when all are done. */
  @Delete('customers/:customerId')
  @HttpCode(HttpStatus.ACCEPTED)
  async erase(
    @Headers('authorization') authorization: string | undefined,
    @Param('customerId') customerId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { agent } = await this.credential.authenticate(authorization);
    const id = customerIdSchema('customerId').safeParse(customerId);
    if (!id.success) {
      const r = rejectionFromZod(id.error);
      throw new HttpException(
        { error: 'invalid_customer_id', field: 'customerId', message: r.reason },
        HttpStatus.BAD_REQUEST,
      );
    }
    const status = await this.erasures.request(id.data, agent);
    res.setHeader('Location', `/v1/erasures/${status.erasureId}`);
    return status;
  }

  @Get('erasures/:erasureId')
  async status(
    @Headers('authorization') authorization: string | undefined,
    @Param('erasureId') erasureId: string,
  ) {
    await this.credential.authenticate(authorization);
    const status = await this.erasures.status(erasureId);
    if (!status)
      throw new HttpException(
        { error: 'not_found', field: 'erasureId', message: `no erasure ${erasureId}` },
        HttpStatus.NOT_FOUND,
      );
    return status;
  }
}
