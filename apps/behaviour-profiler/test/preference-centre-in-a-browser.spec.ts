import { customerLinks } from '@onevoice/links';
import { daytimeZone, LOCAL_DIR, Story, testNow, testStack, STAFF } from '@onevoice/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, which `.ci/run` and `deploy/local/up.sh --for-tests` install. */
const CHROMIUM = process.env.OV_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = resolve(LOCAL_DIR, 'test-artifacts', 'preference-centre.png');

/**
 * Without a chromium (a laptop with Node only: `npm test` installs nothing), this spec is skipped
 * and says so; in CI, which installs chromium, a missing one fails it.
 */
const browserAvailable = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!browserAvailable)
  process.stderr.write(
    `[test] skipping the browser test: no chromium at ${CHROMIUM} (install Debian's chromium, or set OV_CHROMIUM)\n`,
  );

/**
 * A customer opens the link from a message on a phone-sized screen, says "text me, never call",
 * and the next decision about them honours it.
 */
(browserAvailable ? describe : describe.skip)('the preference centre in a browser', () => {
  const stack = testStack();
  let browser: Browser;
  let story: Story;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    story = await Story.begin(stack, 'browser');
  });
  afterAll(async () => {
    await story?.end();
    await browser?.close();
  });

  it('changes a preference through the signed link, and the next decision follows it', async () => {
    await story.profile({ timeZone: daytimeZone() });
    const { preferences: link } = customerLinks(
      {
        secret: stack.serviceEnv.OV_SIGNING_KEY!,
        baseUrl: stack.services['behaviour-profiler'],
        lifetimeMs: 3_600_000,
      },
      story.customerId,
      'billing',
      testNow(),
    );
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await page.goto(link);
    await page.getByRole('heading', { name: 'How we contact you' }).waitFor();
    await page.locator('input[name=preferredChannel][value=sms]').check();
    await page.locator('input[name=channel_voice]').uncheck();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // The page fits a phone: nothing wider than the screen.
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await story.profileInCoordinator(
      'the choices made on the page',
      (p) => p.preferredChannel === 'sms',
    );
    // payment_due would be a phone call by default; the customer said: text me, never call.
    const due = await story.send('billing', 'billing.payment_due', {
      intentKey: `bill:${story.customerId}`,
      variables: { amount: '20.00 EUR', dueDate: '2026-12-10' },
      action: { url: 'https://pay.example.test/b' },
    });
    await story.decided(due);
    const decision = story.standing().get(`billing/${due}`)!;
    expect(decision.data).toMatchObject({ outcome: 'approved', channel: 'sms' });
    expect(decision.data.reasons.map((r) => r.code)).toContain('preferred_channel');
    expect(story.decisions().some((d) => d.data.channel === 'voice')).toBe(false);

    const ledger = (await (
      await fetch(
        `${stack.services['behaviour-profiler']}/v1/customers/${story.customerId}/preferences`,
        {
          headers: { authorization: STAFF.ops },
        },
      )
    ).json()) as {
      consentLedger: { action: string; channel?: string; via: string; source: string }[];
    };
    expect(ledger.consentLedger).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'opted_out',
          channel: 'voice',
          via: 'web',
          source: 'preference-centre',
        }),
      ]),
    );
  });
});
