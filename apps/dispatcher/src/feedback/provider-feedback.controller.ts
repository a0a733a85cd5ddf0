import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Req,
} from '@nestjs/common';
import {
  cloudEvent,
  customerIdSchema,
  rejectionFromZod,
  smsKeyword,
  Topics,
} from '@onevoice/contracts';
import { EventPublisher, outbound, publishWithin } from '@onevoice/messaging';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DELIVERY_SOURCE } from '../deliveries/delivery-sender';
import { PROVIDER_FEEDBACK, type ProviderFeedback } from '../deliveries/deliveries.tokens';
import { DeliveryStatusService } from './delivery-status.service';
import { KeywordReplies } from './keyword-replies';
import { Clock } from '@onevoice/clock';

const statusBody = z.object({
  sid: z.string().min(1),
  status: z.enum(['delivered', 'failed', 'bounced']),
  idempotencyKey: z.string().min(1),
});

const inboundBody = z.object({
  messageSid: z.string().min(1).max(500),
  channel: z.literal('sms'),
  /** The provider's customer reference: the customer id (an E.164 number is one). */
  from: customerIdSchema('from'),
  text: z.string().min(1).max(1600),
});

/**
 * What providers tell us, accepted only with a valid signature: HMAC-SHA256, hex, in
 * `x-provider-signature`, of `<timestamp>.<body>` with the shared secret, where the timestamp (in
 * `x-provider-timestamp`, seconds since 1970) is within the replay window of this machine's time.
 * Status callbacks (delivered, failed, bounced; only ever forward)
 * become delivery events, and customers' SMS replies become interactions — STOP, START and HELP
 * then change consent at once (the behaviour profiler reads them) and are answered by text.
 */
@Controller('v1/providers')
export class ProviderFeedbackController {
  constructor(
    private readonly clock: Clock,
    @Inject(PROVIDER_FEEDBACK) private readonly feedback: ProviderFeedback,
    private readonly statuses: DeliveryStatusService,
    private readonly publisher: EventPublisher,
    private readonly replies: KeywordReplies,
  ) {}

  @Post('status')
  @HttpCode(204)
  async status(
    @Req() req: { rawBody?: Buffer },
    @Headers('x-provider-signature') signature: string | undefined,
    @Headers('x-provider-timestamp') timestamp: string | undefined,
    @Body() body: unknown,
  ) {
    this.verify(req.rawBody, signature, timestamp);
    const s = parse(statusBody, body);
    const outcome = await this.statuses.record(s.idempotencyKey, s.status, this.clock.now());
    if (outcome === 'unknown')
      throw new HttpException(
        { error: 'unknown_delivery', field: 'idempotencyKey', message: 'no delivery has this key' },
        HttpStatus.NOT_FOUND,
      );
  }

  @Post('inbound')
  @HttpCode(202)
  async inbound(
    @Req() req: { rawBody?: Buffer },
    @Headers('x-provider-signature') signature: string | undefined,
    @Headers('x-provider-timestamp') timestamp: string | undefined,
    @Body() body: unknown,
  ) {
    this.verify(req.rawBody, signature, timestamp);
    const m = parse(inboundBody, body);
    await publishWithin(this.publisher, [
      outbound(
        Topics.interactions,
        cloudEvent({
          id: inboundEventId(m.messageSid),
          source: DELIVERY_SOURCE,
          type: 'interaction.inbound_contact',
          subject: m.from,
          time: this.clock.now(),
          data: { channel: 'sms', text: m.text, interactionId: m.messageSid },
        }),
      ),
    ]);
    const keyword = smsKeyword(m.text);
    if (keyword) await this.replies.reply(m.messageSid, m.from, keyword, this.clock.now());
    return { accepted: true };
  }

  private verify(
    raw: Buffer | undefined,
    signature: string | undefined,
    timestamp: string | undefined,
  ): void {
    const signedAt = /^\d{1,12}$/.test(timestamp ?? '') ? Number(timestamp) * 1000 : undefined;
    // The machine's time, not the services' clock: a replay window is about when the request
    // travelled, which a test clock moved days ahead must not change.
    // eslint-disable-next-line no-restricted-syntax
    const machineNow = Date.now();
    if (signedAt === undefined || Math.abs(machineNow - signedAt) > this.feedback.windowMs)
      throw new HttpException(
        {
          error: 'invalid_signature',
          field: 'x-provider-timestamp',
          message:
            signedAt === undefined
              ? 'must be the time the provider signed the request, in seconds since 1970'
              : `signed at ${new Date(signedAt).toISOString()}, outside the ${this.feedback.windowMs / 1000} s replay window`,
        },
        HttpStatus.FORBIDDEN,
      );
    const want = Buffer.from(
      signCallback(this.feedback.secret, timestamp!, raw ?? Buffer.alloc(0)),
    );
    const got = Buffer.from(signature ?? '');
    if (!raw || want.length !== got.length || !timingSafeEqual(want, got))
      throw new HttpException(
        {
          error: 'invalid_signature',
          field: 'x-provider-signature',
          message: 'the signature does not match the timestamp and body',
        },
        HttpStatus.FORBIDDEN,
      );
  }
}

/** A callback's signature: HMAC-SHA256 of `<timestamp>.<body>` with the shared secret, hex. */
export function signCallback(secret: string, timestamp: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const r = rejectionFromZod(parsed.error);
  throw new HttpException(
    { error: 'invalid_body', field: r.field, message: r.reason },
    HttpStatus.BAD_REQUEST,
  );
}

/** The interaction's event id: the provider's message id, hashed when it is too long for one. */
export function inboundEventId(messageSid: string): string {
  return messageSid.length <= 180
    ? `inbound-${messageSid}`
    : `inbound-sha256-${createHash('sha256').update(messageSid).digest('hex')}`;
}
