import { because, customerTime, defer, iso, priorityOf, suppress, type Rule } from '../context';
import type { LedgerDecision } from '../model';

/**
 * Rules 4 and 5: contact budgets across all departments (rolling windows), and who gets a
 * contested budget. Critical messages are counted but never capped. When a budget is full, a
 * more important message takes the slot of a less important one that has not gone out yet
 * (which is displaced and decided again); otherwise this one waits for the window to free up,
 * while it is still valid.
 */
export const frequencyCapRule: Rule = (ctx) => {
  const { request, ledger, policy } = ctx;
  if (request.urgency === 'critical') {
    because(
      ctx,
      'frequency-cap',
      'critical_uncapped',
      'Critical: counted, but no contact budget holds it back.',
    );
    return undefined;
  }
  if (request.transactional) {
    because(
      ctx,
      'frequency-cap',
      'transactional_uncapped',
      'About something the customer did or asked for: counted, but no contact budget holds it back.',
    );
    return undefined;
  }
  const mine = priorityOf(policy, request);
  let until = ctx.sendAfter;
  for (const cap of policy.caps) {
    if (cap.categories && !cap.categories.includes(request.category)) continue;
    // The contacts that would share a window with a send at `until`.
    let count = 0;
    let latest = -Infinity;
    let displaceable: LedgerDecision[] | undefined;
    for (const d of ledger.decisions) {
      if (d.outcome !== 'approved' || d.at === undefined || ctx.supersedes.includes(d.decisionId))
        continue;
      if (cap.categories && !cap.categories.includes(d.category)) continue;
      const at = d.at.getTime();
      if (Math.abs(at - until) >= cap.windowMs) continue;
      count++;
      if (at > latest) latest = at;
      if (
        !d.sent &&
        d.urgency !== 'critical' &&
        !ctx.displaces.includes(d.decisionId) &&
        priorityOf(policy, d) > mine
      ) {
        (displaceable ??= []).push(d);
      }
    }
    if (count < cap.max) continue;
    if (displaceable && count - displaceable.length < cap.max) {
      displaceable.sort((a, b) => priorityOf(policy, b) - priorityOf(policy, a));
      ctx.displaces.push(...displaceable.slice(0, count - cap.max + 1).map((d) => d.decisionId));
      because(
        ctx,
        'priority-arbitration',
        'takes_budget',
        `Takes the ${cap.name} budget from a less urgent message that had not gone out yet.`,
      );
      continue;
    }
    const frees = latest + cap.windowMs;
    if (frees >= request.expiresAt.getTime()) {
      return suppress(
        ctx,
        'frequency-cap',
        'cap_reached',
        `Not sent: the ${cap.name} contact budget (${cap.max}) is used, and the message expires before it frees up.`,
      );
    }
    until = Math.max(until, frees);
    because(
      ctx,
      'frequency-cap',
      'cap_reached',
      `Waits: the ${cap.name} contact budget (${cap.max}) is used until ${iso(frees)}.`,
    );
  }
  if (until > ctx.sendAfter) {
    return defer(
      ctx,
      'frequency-cap',
      'deferred_for_budget',
      until,
      `Deferred to ${customerTime(until, ctx.profile.timeZone)}, when the contact budget allows it.`,
    );
  }
  return undefined;
};
