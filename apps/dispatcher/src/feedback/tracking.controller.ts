import { Controller, Get, HttpStatus, Inject, Logger, Param, Query, Res } from '@nestjs/common';
import { cloudEvent, isWebUrl, Topics } from '@onevoice/contracts';
import { verifyToken, type LinkClaims } from '@onevoice/links';
import { EventPublisher, outbound } from '@onevoice/messaging';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DELIVERY_SOURCE } from '../deliveries/delivery-sender';
import { DISPATCHER_LINKS, type DispatcherLinks } from '../deliveries/deliveries.tokens';
import { Clock } from '@onevoice/clock';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * Opens and clicks of emails, from the signed links in them: each becomes an
 * `interaction.engagement` (opened, clicked) for the message's decision — what stops its
 * reminders and what the profiler learns from. A click leads on only to the address signed into
 * its link (no open redirect); a link that does not verify leads nowhere and records nothing.
 */
@Controller('t')
export class TrackingController {
  private readonly logger = new Logger(TrackingController.name);

  constructor(
    private readonly clock: Clock,
    @Inject(DISPATCHER_LINKS) private readonly links: DispatcherLinks,
    private readonly publisher: EventPublisher,
  ) {}

  @Get('c/:customerId')
  async click(
    @Param('customerId') customerId: string,
    @Query('t') token: string | undefined,
    @Res() res: Response,
  ) {
    const claims = this.verify(customerId, token);
    // Signed by this dispatcher, and still only to a web page: a link made before ingest refused
    // other schemes never leads to a script.
    if (!claims?.url || !claims.ref || !isWebUrl(claims.url)) {
      res.status(HttpStatus.FORBIDDEN).type('text').send('This link is not valid.');
      return;
    }
    // The customer is not kept waiting on the broker (were it away, for a minute of producer
    // retries): the engagement is published behind the answer, best effort as it always was.
    void this.engaged(claims, 'clicked');
    res.redirect(HttpStatus.FOUND, claims.url);
  }

  @Get('o/:customerId')
  async open(
    @Param('customerId') customerId: string,
    @Query('t') token: string | undefined,
    @Res() res: Response,
  ) {
    const claims = this.verify(customerId, token);
    if (claims?.ref) void this.engaged(claims, 'opened');
    // The image is always served: a mail client shows nothing broken either way.
    res.status(HttpStatus.OK).type('gif').set('Cache-Control', 'no-store').send(PIXEL);
  }

  private verify(customerId: string, token: string | undefined): LinkClaims | undefined {
    const check = verifyToken(
      this.links.secret,
      token,
      { purpose: 'track', customerId },
      this.clock.now(),
    );
    return check.ok ? check.claims : undefined;
  }

  private async engaged(claims: LinkClaims, action: 'opened' | 'clicked'): Promise<void> {
    await this.publisher
      .publish([
        outbound(
          Topics.interactions,
          cloudEvent({
            id: `${action}-${claims.ref}-${randomUUID()}`,
            source: DELIVERY_SOURCE,
            type: 'interaction.engagement',
            subject: claims.customerId,
            time: this.clock.now(),
            data: { decisionId: claims.ref!, channel: 'email', action },
          }),
        ),
      ])
      .catch((err: unknown) =>
        this.logger.warn({ msg: 'could not publish an engagement', action, error: String(err) }),
      );
  }
}
