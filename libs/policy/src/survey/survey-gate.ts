import type { GateContext, Reason, SurveyLedger, SurveyRecord, SurveyVerdict } from './model';
import { afterContactRule } from './rules/after-contact.rule';
import { knownSurveyTypeRule } from './rules/known-survey-type.rule';
import { onePerInteractionRule } from './rules/one-per-interaction.rule';
import { openCaseRule } from './rules/open-case.rule';
import { pendingContactRule } from './rules/pending-contact.rule';
import { samplingRule } from './rules/sampling.rule';
import { settleRule } from './rules/settle.rule';
import { surveyChannelRule } from './rules/survey-channel.rule';
import { surveyExpiryRule } from './rules/survey-expiry.rule';
import { byPriority, lowerPriority } from './rules/survey-priority.rule';
import { surveyWindowRule } from './rules/survey-window.rule';
import type { SurveyPolicy } from './survey-policy';

/** Rules that drop a survey for good, in the order they are asked. */
const dropRules: ((s: SurveyRecord, ctx: GateContext) => Reason | undefined)[] = [
  knownSurveyTypeRule,
  surveyExpiryRule,
  samplingRule,
  onePerInteractionRule,
  surveyWindowRule,
  (_s, ctx) => openCaseRule(ctx),
];

/** Rules that make the chosen survey wait, in order. */
const holdRules = [settleRule, pendingContactRule, afterContactRule];

/**
 * The survey gate (docs/design.md §4): decides every held survey of one customer. Pure — the
 * ledger, the policy and the time come in, verdicts go out. At most one survey is approved per
 * call, and none while another is inside the window, so a customer never gets two.
 */
export function gateSurveys(
  ledger: SurveyLedger,
  policy: SurveyPolicy,
  now: Date,
): SurveyVerdict[] {
  const ctx: GateContext = { ledger, policy, now: now.getTime() };
  const verdicts: SurveyVerdict[] = [];
  const candidates: SurveyRecord[] = [];
  for (const s of ledger.surveys.filter((x) => x.status === 'held')) {
    const reason = firstOf(dropRules, s, ctx);
    if (reason)
      verdicts.push({ key: s.key, outcome: 'suppressed', code: reason.code, reasons: [reason] });
    else candidates.push(s);
  }
  candidates.sort(byPriority(ctx));
  const [chosen, ...losers] = candidates;
  if (!chosen) return verdicts;
  for (const l of losers) {
    const reason = lowerPriority(l, chosen);
    verdicts.push({ key: l.key, outcome: 'suppressed', code: reason.code, reasons: [reason] });
  }
  for (const rule of holdRules) {
    const hold = rule(chosen, ctx);
    if (hold)
      return [
        ...verdicts,
        {
          key: chosen.key,
          outcome: 'held',
          until: new Date(hold.until),
          code: hold.reason.code,
          reasons: [hold.reason],
        },
      ];
  }
  const channel = surveyChannelRule(chosen, ctx);
  verdicts.push({
    key: chosen.key,
    outcome: 'approved',
    ...(channel.channels ? { channels: channel.channels } : {}),
    reasons: [channel.reason],
  });
  return verdicts;
}

function firstOf<A extends unknown[], R>(
  rules: ((...args: A) => R | undefined)[],
  ...args: A
): R | undefined {
  for (const rule of rules) {
    const r = rule(...args);
    if (r !== undefined) return r;
  }
  return undefined;
}
