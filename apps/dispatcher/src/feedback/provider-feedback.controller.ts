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
 * What providers tell us, accepted only with a valid signature (HMAC-SHA256 of the body with the
 * shared secret, hex, in `x-provider-signature`): status callbacks (delivered, failed, bounced)
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
    @Body() body: unknown,
  ) {
    this.verify(req.rawBody, signature);
    const s = parse(statusBody, body);
    const known = await this.statuses.record(s.idempotencyKey, s.status, this.clock.now());
    if (!known)
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
    @Body() body: unknown,
  ) {
    this.verify(req.rawBody, signature);
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

  private verify(raw: Buffer | undefined, signature: string | undefined): void {
    const want = Buffer.from(
      createHmac('sha256', this.feedback.secret)
        .update(raw ?? Buffer.alloc(0))
        .digest('hex'),
    );
    const got = Buffer.from(signature ?? '');
    if (!raw || want.length !== got.length || !timingSafeEqual(want, got))
      throw new HttpException(
        {
          error: 'invalid_signature',
          field: 'x-provider-signature',
          message: 'the signature does not match the body',
        },
        HttpStatus.FORBIDDEN,
      );
  }
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
