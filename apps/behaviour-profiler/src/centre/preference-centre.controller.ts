import { Body, Controller, Get, HttpStatus, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Category } from '@onevoice/contracts';
import { verifyToken, type LinkClaims } from '@onevoice/links';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { noPreferences, replacePreferences, type ConsentEntry } from '@onevoice/policy';
import { ProfileRepository } from '../profiles/profile.repository';
import { ProfileWriter } from '../profiles/profile-writer';
import { PROFILER_LINKS, type ProfilerLinks } from '../profiler.tokens';
import {
  PAGE_WORDING_VERSION,
  preferencePage,
  preferencesFromForm,
  refusedPage,
  unsubscribeConfirmPage,
  unsubscribedPage,
} from './preference-page';
import { Clock } from '@onevoice/clock';

/**
 * What a customer reaches from the links in our messages, with no login and no cookie: the
 * preference centre (a signed, expiring link naming them) and RFC 8058 one-click unsubscribe (a
 * signed token naming them and the message's category). A forged, expired or another customer's
 * link is refused with 403, and nothing changes.
 */
@Controller()
export class PreferenceCentreController {
  constructor(
    private readonly clock: Clock,
    @Inject(PROFILER_LINKS) private readonly links: ProfilerLinks,
    private readonly dataSource: DataSource,
    private readonly repo: ProfileRepository,
    private readonly writer: ProfileWriter,
  ) {}

  @Get('preferences/:customerId')
  async page(
    @Param('customerId') customerId: string,
    @Query('t') token: string | undefined,
    @Res() res: Response,
  ) {
    if (!this.check(res, token, 'preferences', customerId)) return;
    const row = await this.repo.find(this.dataSource.manager, customerId);
    this.html(
      res,
      HttpStatus.OK,
      preferencePage(row?.preferences ?? noPreferences(), this.pageAction(customerId), token!),
    );
  }

  @Post('preferences/:customerId')
  async save(
    @Param('customerId') customerId: string,
    @Body() form: Record<string, unknown> | undefined,
    @Res() res: Response,
  ) {
    const token = typeof form?.t === 'string' ? form.t : undefined;
    if (!this.check(res, token, 'preferences', customerId)) return;
    let problem: { field: string; message: string } | undefined;
    const row = await this.writer.change(customerId, (r): ConsentEntry[] => {
      const read = preferencesFromForm(r.preferences, form ?? {});
      if (!read.ok) {
        problem = read;
        return [];
      }
      const { prefs, entries } = replacePreferences(r.preferences, read.prefs, {
        at: this.clock.now(),
        via: 'web',
        source: 'preference-centre',
        wordingVersion: PAGE_WORDING_VERSION,
      });
      r.preferences = prefs;
      return entries;
    });
    if (problem) {
      res
        .status(HttpStatus.BAD_REQUEST)
        .json({ error: 'invalid_form', field: problem.field, message: problem.message });
      return;
    }
    this.html(
      res,
      HttpStatus.OK,
      preferencePage(row.preferences, this.pageAction(customerId), token!, true),
    );
  }

  /** A person who clicks the link gets a button; only the POST (what mail clients send) acts. */
  @Get('v1/unsubscribe')
  unsubscribePage(
    @Query('c') customerId: string | undefined,
    @Query('t') token: string | undefined,
    @Res() res: Response,
  ) {
    const claims = this.check(res, token, 'unsubscribe', customerId ?? '');
    if (!claims) return;
    const action = `/v1/unsubscribe?c=${encodeURIComponent(customerId!)}&t=${encodeURIComponent(token!)}`;
    this.html(res, HttpStatus.OK, unsubscribeConfirmPage(action, claims.category ?? 'these'));
  }

  /** RFC 8058 one-click: `List-Unsubscribe=One-Click` posted to the link's URL. */
  @Post('v1/unsubscribe')
  async unsubscribe(
    @Query('c') customerId: string | undefined,
    @Query('t') token: string | undefined,
    @Res() res: Response,
  ) {
    const claims = this.check(res, token, 'unsubscribe', customerId ?? '');
    if (!claims) return;
    if (!claims.category) {
      res
        .status(HttpStatus.BAD_REQUEST)
        .json({ error: 'invalid_token', field: 't', message: 'the token names no category' });
      return;
    }
    const category = claims.category as Category;
    await this.writer.change(claims.customerId, (r) => {
      const already = r.preferences.optOuts.some(
        (o) => o.category === category && o.channel === undefined,
      );
      if (already) return [];
      const { prefs, entries } = replacePreferences(
        r.preferences,
        { ...r.preferences, optOuts: [...r.preferences.optOuts, { category }] },
        { at: this.clock.now(), via: 'email', source: 'one-click unsubscribe' },
      );
      r.preferences = prefs;
      return entries;
    });
    this.html(res, HttpStatus.OK, unsubscribedPage(category));
  }

  private check(
    res: Response,
    token: string | undefined,
    purpose: LinkClaims['purpose'],
    customerId: string,
  ): LinkClaims | undefined {
    const result = verifyToken(this.links.secret, token, { purpose, customerId }, this.clock.now());
    if (result.ok) return result.claims;
    this.html(res, HttpStatus.FORBIDDEN, refusedPage(result.reason));
    return undefined;
  }

  private pageAction(customerId: string) {
    return `/preferences/${encodeURIComponent(customerId)}`;
  }

  private html(res: Response, status: number, body: string) {
    res
      .status(status)
      .type('html')
      .set('Cache-Control', 'no-store')
      .set('Referrer-Policy', 'no-referrer')
      .send(body);
  }
}
