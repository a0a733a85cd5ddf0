import { because, defer, iso, priorityOf, suppress, type Rule } from '../context';
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
  const counted = ledger.decisions.filter(
    (d) => d.outcome === 'approved' && d.at !== undefined && !ctx.supersedes.includes(d.decisionId),
  );
  const mine = priorityOf(policy, request);
  let until = ctx.sendAfter;
  for (const cap of policy.caps) {
    if (cap.categories && !cap.categories.includes(request.category)) continue;
    const relevant = (d: LedgerDecision) => !cap.categories || cap.categories.includes(d.category);
    // The contacts that would share a window with a send at `until`.
    const within = counted.filter(
      (d) => relevant(d) && Math.abs(d.at!.getTime() - until) < cap.windowMs,
    );
    if (within.length < cap.max) continue;
    const displaceable = within
      .filter(
        (d) =>
          !d.sent &&
          d.urgency !== 'critical' &&
          priorityOf(policy, d) > mine &&
          !ctx.displaces.includes(d.decisionId),
      )
      .sort((a, b) => priorityOf(policy, b) - priorityOf(policy, a));
    if (within.length - displaceable.length < cap.max) {
      const bumped = displaceable.slice(0, within.length - cap.max + 1);
      ctx.displaces.push(...bumped.map((d) => d.decisionId));
      because(
        ctx,
        'priority-arbitration',
        'takes_budget',
        `Takes the ${cap.name} budget from a less urgent message that had not gone out yet.`,
      );
      continue;
    }
    const frees = Math.max(...within.map((d) => d.at!.getTime())) + cap.windowMs;
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
      `Deferred to ${iso(until)}, when the contact budget allows it.`,
    );
  }
  return undefined;
};
