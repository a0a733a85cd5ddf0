import type {
  CaseKind,
  Category,
  Channel,
  DecisionData,
  IntentCatalogue,
  Permissions,
  PreferenceChangedData,
  ProfileData,
  TopicEvent,
  Topics,
  Touchpoint,
} from '@onevoice/contracts';
import {
  addSignal,
  applyPreferenceChange,
  durationMs,
  composeProfile,
  emptyBehaviour,
  gateSurveys,
  heldUntil,
  infer,
  materialKey,
  nextFallback,
  noPreferences,
  refusalOf,
  signalsOfInteraction,
  windowClosed,
  type BehaviourState,
  type Contact,
  type ExplicitPreferences,
  type Fallback,
  type Interaction,
  type Policy,
  type ProfilerConfig,
  type Signal,
  type SurveyPolicy,
  type SurveyRecord,
} from '@onevoice/policy';
import type { DepartmentEvent, Population, PopulationConfig, SimCustomer } from './population';
import { Random } from './random';
import { SimulatedCoordinator } from './simulated-coordinator';

type ContactRequestEvent = TopicEvent<typeof Topics.contactRequests>;

/** What the gate decides with: the configuration under test. */
export interface GateSetup {
  policy: Policy;
  catalogue: IntentCatalogue;
  permissions: Permissions;
  profiler: ProfilerConfig;
  surveys: SurveyPolicy;
}

/** A simulation: the gate under test and the population it runs over. */
export interface SimulationSetup extends GateSetup {
  population: Population;
}

/** Where a customer's period runs, and whether the customer answers on their own. */
export interface WorldOptions {
  start: number;
  end: number;
  seed: number;
  /** The population's truth: the customer opens, acts, misses and opts out by it. Absent (a
   * replay of recorded traffic): only what the events say the customer did. */
  truth?: PopulationConfig;
  /** Keep every decision in `outcome.decisionLog` (a replay compares them). */
  log?: boolean;
}

/** A decision as a replay compares it: which request, and what became of it. */
export interface LoggedDecision {
  at: number;
  requestSource: string;
  requestId: string;
  intentType: string;
  outcome: DecisionData['outcome'];
  channel?: Channel;
  codes: string[];
}

/** A message that reached the customer (a digest is one, carrying `members` requests). */
export interface Send {
  at: number;
  channel: Channel;
  category: Category;
  urgency: string;
  intentType: string;
  intentKey: string;
  source: string;
  members: number;
  /** Sent on a channel the customer refused at that moment (an opt-out, a missing consent). */
  refused: boolean;
  /** An answer on the channel the customer contacted us by (a call returned is not unwanted). */
  inKind?: boolean;
}

/** What one customer's period came to, under OneVoice or the naive baseline. */
export interface CustomerOutcome {
  customer: SimCustomer;
  sends: Send[];
  /** Decisions by department and outcome (OneVoice only). */
  decisions: Map<
    string,
    { approved: number; suppressed: number; deferred: number; merged: number }
  >;
  /** Critical intents requested: when, until when, and when one first went out. */
  critical: Map<string, { receivedAt: number; expiresAt: number; sentAt?: number }>;
  /** Open collections cases over the period: [opened, closed) intervals. */
  collections: [number, number][];
  /** Input events the gate rejected (an intent not in the catalogue, say). */
  rejected: number;
  /** Every decision, in order (with `WorldOptions.log`). */
  decisionLog?: LoggedDecision[];
}

interface Delivery {
  decisionId: string;
  channel: Channel;
  sendAfter: number;
  sendBefore?: string;
  fallback?: Fallback;
  status: 'scheduled' | 'sent' | 'cancelled' | 'failed' | 'expired';
  data: DecisionData;
}

/** A time-ordered queue of what happens next to one customer. */
class Agenda {
  private items: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;

  add(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  take(): { at: number; run: () => void } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: { at: number; seq: number }, y: { at: number; seq: number }) =>
  x.at < y.at || (x.at === y.at && x.seq < y.seq);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * One customer's period through OneVoice, on a virtual clock: the departments' events go where
 * ingest routes them; the profiler's pure steps turn what the customer does into profiles; the
 * survey gate and the coordinator (`SimulatedCoordinator`, the service's own code) decide; a
 * dispatcher sends in each decision's window, checks refusals at send time, and falls back only
 * after a definitive failure; and the customer answers as their true preferences say.
 */
export class CustomerWorld {
  private readonly agenda = new Agenda();
  private readonly coordinator: SimulatedCoordinator;
  private readonly rng: Random;
  private prefs: ExplicitPreferences = noPreferences();
  private behaviour: BehaviourState = emptyBehaviour();
  private profileVersion = 0;
  private profileKey = '';
  private readonly surveys: SurveyRecord[] = [];
  private readonly surveyCases: { caseId: string; kind: CaseKind }[] = [];
  private readonly deliveries = new Map<string, Delivery>();
  private readonly dueAt = new Set<number>();
  private gateAt = new Set<number>();
  private readonly openCollections = new Map<string, number>();
  private now = 0;
  readonly outcome: CustomerOutcome;

  constructor(
    private readonly setup: GateSetup,
    private readonly customer: SimCustomer,
    private readonly options: WorldOptions,
  ) {
    this.coordinator = SimulatedCoordinator.of(
      customer.id,
      setup.policy,
      setup.catalogue,
      setup.permissions,
    );
    this.rng = new Random(options.seed, customer.index, 0x7e5);
    this.outcome = {
      ...emptyOutcome(customer),
      ...(options.log ? { decisionLog: [] } : {}),
    };
  }

  /** Runs the customer's period (`events`, in time order) and returns what it came to. */
  run(events: readonly DepartmentEvent[]): CustomerOutcome {
    // Inputs join the agenda one at a time, each when the one before it is taken: the agenda
    // holds what is pending now, not the whole period.
    let next = 0;
    const feed = () => {
      const e = events[next++];
      if (e)
        this.agenda.add(Date.parse(e.time), () => {
          feed();
          this.input(e);
        });
    };
    feed();
    const { end } = this.options;
    let lastPrune = this.options.start;
    for (let item = this.agenda.take(); item && item.at < end; item = this.agenda.take()) {
      this.now = Math.max(this.now, item.at);
      item.run();
      if (this.now - lastPrune > 7 * 86_400_000) {
        this.prune();
        lastPrune = this.now;
      }
    }
    for (const [, opened] of this.openCollections) this.outcome.collections.push([opened, end]);
    return this.outcome;
  }

  /**
   * Forgets what nothing reads any more, as the services do: the coordinator's settled history
   * past the window it loads, deliveries settled days ago (the survey gate looks back three),
   * surveys decided before the survey window. A customer's state stays bounded however long the
   * period.
   */
  private prune(): void {
    this.coordinator.prune(new Date(this.now));
    const settledBefore = this.now - 3 * 86_400_000;
    for (const [id, d] of this.deliveries)
      if (d.status !== 'scheduled' && d.sendAfter < settledBefore) this.deliveries.delete(id);
    const decidedBefore = this.now - this.setup.surveys.windowMs;
    for (let i = this.surveys.length - 1; i >= 0; i--) {
      const s = this.surveys[i]!;
      if (s.status !== 'held' && (s.decidedAt?.getTime() ?? 0) < decidedBefore)
        this.surveys.splice(i, 1);
    }
  }

  private get date(): Date {
    return new Date(this.now);
  }

  /** An event from a department, routed as ingest routes it. */
  private input(e: DepartmentEvent): void {
    const intent = this.setup.catalogue.intents[e.type];
    if (intent && intent.category !== 'survey') {
      if (intent.urgency === 'critical') {
        const key = String(e.data['intentKey']);
        if (!this.outcome.critical.has(key))
          this.outcome.critical.set(key, {
            receivedAt: this.now,
            expiresAt: this.now + lifetimeMs(intent.lifetime),
          });
      }
      const decided = this.coordinator.request(e as unknown as ContactRequestEvent, this.date);
      if ('rejected' in decided) this.outcome.rejected++;
      else this.decided(decided);
      return;
    }
    switch (e.type) {
      case 'preference.changed':
        this.changePreferences(e.data as PreferenceChangedData, e.source);
        return;
      case 'survey.requested':
        this.surveyRequested(e);
        return;
      default:
        if (e.type.startsWith('interaction.') || e.type.startsWith('case.'))
          this.interaction(e as unknown as Interaction);
        else this.outcome.rejected++;
    }
  }

  private interaction(e: Interaction): void {
    if (e.type === 'case.opened') {
      this.surveyCases.push({ caseId: e.data.caseId, kind: e.data.kind });
      if (e.data.kind === 'collections') this.openCollections.set(e.data.caseId, this.now);
    }
    if (e.type === 'case.closed') {
      const i = this.surveyCases.findIndex((c) => c.caseId === e.data.caseId);
      if (i >= 0) this.surveyCases.splice(i, 1);
      const opened = this.openCollections.get(e.data.caseId);
      if (opened !== undefined) {
        this.outcome.collections.push([opened, this.now]);
        this.openCollections.delete(e.data.caseId);
      }
      this.gateSurveysSoon();
    }
    this.learn(signalsOfInteraction(e, this.setup.profiler, this.date));
    this.decided(this.coordinator.interaction(e, this.date));
  }

  // --- the behaviour profiler ---------------------------------------------------------------

  private learn(signals: readonly Signal[]): void {
    if (signals.length === 0) return;
    for (const s of signals) this.behaviour = addSignal(this.behaviour, s, this.setup.profiler);
    this.publishProfile();
  }

  private changePreferences(change: PreferenceChangedData, source: string): void {
    this.prefs = applyPreferenceChange(this.prefs, change, {
      at: this.date,
      via: change.via ?? 'web',
      source,
    }).prefs;
    this.publishProfile();
  }

  /** A new profile goes to the coordinator when something material changed, as the profiler does. */
  private publishProfile(): void {
    const profile: ProfileData = composeProfile(
      this.customer.id,
      this.profileVersion + 1,
      this.prefs,
      infer(this.behaviour, this.setup.profiler, this.now),
    );
    const key = materialKey(profile, this.setup.profiler.publishConfidenceStep);
    if (key === this.profileKey) return;
    this.profileKey = key;
    this.profileVersion = profile.version;
    this.decided(this.coordinator.profile(profile, this.date));
  }

  // --- the survey throttler -----------------------------------------------------------------

  private surveyRequested(e: DepartmentEvent): void {
    const d = e.data as { surveyType: string; interactionId: string; channel?: Touchpoint };
    this.surveys.push({
      key: `${e.source}/${e.id}`,
      surveyType: d.surveyType,
      interactionId: d.interactionId,
      ...(d.channel ? { touchpoint: d.channel } : {}),
      receivedAt: this.date,
      expiresAt: new Date(this.now + this.setup.surveys.lifetimeMs),
      status: 'held',
    });
    this.gateSurveys();
    this.gateSurveysAt(this.now + this.setup.surveys.settleMs);
  }

  private gateSurveysSoon(): void {
    if (this.surveys.some((s) => s.status === 'held')) this.gateSurveysAt(this.now + MINUTE);
  }

  private gateSurveysAt(at: number): void {
    if (this.gateAt.has(at)) return;
    this.gateAt.add(at);
    this.agenda.add(at, () => {
      this.gateAt.delete(at);
      this.gateSurveys();
    });
  }

  private gateSurveys(): void {
    const policy = this.setup.surveys;
    const horizon = this.now - policy.windowMs;
    const contacts: Contact[] = [];
    for (const d of this.deliveries.values())
      if (
        d.status === 'scheduled' ||
        (d.status === 'sent' && d.sendAfter > this.now - 3 * 86_400_000)
      )
        contacts.push({
          decisionId: d.decisionId,
          state: d.status === 'sent' ? 'sent' : 'pending',
          at: new Date(d.sendAfter),
          decidedAt: new Date(d.sendAfter),
        });
    const verdicts = gateSurveys(
      {
        customerId: this.customer.id,
        surveys: this.surveys.filter(
          (s) => s.status === 'held' || (s.decidedAt?.getTime() ?? 0) > horizon,
        ),
        openCases: this.surveyCases,
        contacts,
      },
      policy,
      this.date,
    );
    for (const v of verdicts) {
      const s = this.surveys.find((x) => x.key === v.key)!;
      const source = s.key.slice(0, s.key.indexOf('/'));
      switch (v.outcome) {
        case 'approved': {
          s.status = 'approved';
          s.decidedAt = this.date;
          const type = policy.types[s.surveyType];
          const decided = this.coordinator.request(
            {
              specversion: '1.0',
              id: s.key.slice(source.length + 1),
              source,
              type: type?.intent ?? 'survey.invite',
              subject: this.customer.id,
              time: this.date.toISOString(),
              data: {
                intentKey: `survey:${s.surveyType}:${s.interactionId}`,
                variables: { surveyType: s.surveyType },
                action: { url: 'https://surveys.example.com' },
                expiresAt: s.expiresAt.toISOString(),
                ...(v.channels ? { channels: v.channels } : {}),
              },
            } as unknown as ContactRequestEvent,
            this.date,
          );
          if (!('rejected' in decided)) this.decided(decided);
          break;
        }
        case 'suppressed':
          s.status = 'suppressed';
          s.decidedAt = this.date;
          this.count(source, 'suppressed');
          break;
        case 'held':
          this.gateSurveysAt(Math.max(v.until.getTime(), this.now + MINUTE));
          break;
      }
    }
  }

  // --- the coordinator's decisions, carried out -----------------------------------------------

  private count(source: string, outcome: 'approved' | 'suppressed' | 'deferred' | 'merged'): void {
    let row = this.outcome.decisions.get(source);
    if (!row)
      this.outcome.decisions.set(
        source,
        (row = { approved: 0, suppressed: 0, deferred: 0, merged: 0 }),
      );
    row[outcome]++;
  }

  private decided(decisions: readonly DecisionData[]): void {
    for (const d of decisions) {
      const department = d.reminderOf ? 'onevoice/coordinator' : d.requestSource;
      this.count(department, d.outcome);
      this.outcome.decisionLog?.push({
        at: this.now,
        requestSource: d.requestSource,
        requestId: d.requestId,
        intentType: d.intentType,
        outcome: d.outcome,
        ...(d.channel ? { channel: d.channel } : {}),
        codes: d.reasons.map((r) => r.code),
      });
      if (d.replaces) {
        const earlier = this.deliveries.get(d.replaces);
        if (earlier?.status === 'scheduled') earlier.status = 'cancelled';
      }
      if (d.outcome === 'approved' && d.channel) {
        const delivery: Delivery = {
          decisionId: d.decisionId,
          channel: d.channel,
          sendAfter: d.sendAfter ? Math.max(this.now, Date.parse(d.sendAfter)) : this.now,
          ...(d.sendBefore ? { sendBefore: d.sendBefore } : {}),
          ...(d.fallback ? { fallback: d.fallback } : {}),
          status: 'scheduled',
          data: d,
        };
        this.deliveries.set(d.decisionId, delivery);
        this.agenda.add(delivery.sendAfter, () => this.send(delivery));
      }
    }
    this.scheduleDue();
  }

  /** Puts the coordinator's next held request on the agenda, once per moment. */
  private scheduleDue(): void {
    const due = this.coordinator.nextDue();
    if (due !== undefined && !this.dueAt.has(due)) {
      this.dueAt.add(due);
      this.agenda.add(Math.max(due, this.now), () => {
        this.dueAt.delete(due);
        this.decided(this.coordinator.due(this.date));
      });
    }
  }

  // --- the dispatcher ----------------------------------------------------------------------

  private send(delivery: Delivery): void {
    if (delivery.status !== 'scheduled') return;
    const d = delivery.data;
    if (windowClosed(delivery.sendBefore, this.now)) {
      delivery.status = 'expired';
      return;
    }
    const refused = refusalOf(this.prefs.optOuts, {
      channel: delivery.channel,
      category: d.category,
    });
    if (refused) {
      delivery.status = 'cancelled';
      return;
    }
    const dnd = this.prefs.doNotDisturbUntil ? new Date(this.prefs.doNotDisturbUntil) : undefined;
    const hold = heldUntil(dnd, { urgency: d.urgency }, this.date);
    if (hold) {
      delivery.sendAfter = hold.getTime();
      this.agenda.add(delivery.sendAfter, () => this.send(delivery));
      return;
    }
    if (this.customer.unreachable.has(delivery.channel)) {
      delivery.status = 'failed';
      this.learn([{ kind: 'negative', channel: delivery.channel, at: this.now }]);
      const next =
        delivery.fallback &&
        nextFallback(delivery.fallback, this.now, (channel) =>
          Boolean(refusalOf(this.prefs.optOuts, { channel, category: d.category })),
        );
      if (next) {
        const retry: Delivery = {
          ...delivery,
          channel: next.channel,
          sendAfter: next.sendAfter.getTime(),
          sendBefore: next.sendBefore.toISOString(),
          ...(next.rest ? { fallback: next.rest } : { fallback: undefined }),
          status: 'scheduled',
        };
        this.deliveries.set(d.decisionId, retry);
        this.agenda.add(retry.sendAfter, () => this.send(retry));
      }
      return;
    }
    delivery.status = 'sent';
    this.outcome.sends.push({
      at: this.now,
      channel: delivery.channel,
      category: d.category,
      urgency: d.urgency,
      intentType: d.intentType,
      intentKey: d.intentKey,
      source: d.requestSource,
      members: 1 + d.mergedRequestIds.length,
      refused: refusedAtSend(this.prefs, this.setup.policy, delivery.channel, d.category),
      ...(d.reasons.some((r) => r.code === 'reply_in_kind') ? { inKind: true } : {}),
    });
    const critical = this.outcome.critical.get(d.intentKey);
    if (critical && critical.sentAt === undefined) critical.sentAt = this.now;
    this.coordinator.sent(d.decisionId, delivery.channel, this.date);
    this.learn([
      {
        kind: 'delivered',
        channel: delivery.channel,
        at: this.now,
        category: d.category,
      },
    ]);
    this.respond(delivery);
    // The reminder the send planned, and surveys waiting for this contact.
    this.scheduleDue();
    this.gateSurveysSoon();
  }

  // --- the customer ------------------------------------------------------------------------

  /** Opens, acts on, misses or refuses the message, as their true preferences say. */
  private respond(delivery: Delivery): void {
    const { channel, decisionId } = delivery;
    const c = this.customer;
    const truth = this.options.truth;
    if (!truth) return;
    const r = truth.responses;
    const odds =
      channel === c.preferred ? r.preferred : c.accepts.has(channel) ? r.accepted : r.notAccepted;
    const engage = (action: 'opened' | 'clicked' | 'missed', at: number) =>
      this.agenda.add(at, () =>
        this.interaction({
          specversion: '1.0',
          id: `${decisionId}:${action}`,
          source: 'onevoice/dispatcher',
          type: 'interaction.engagement',
          subject: c.id,
          time: new Date(at).toISOString(),
          data: { decisionId, channel, action },
        } as unknown as Interaction),
      );
    if (channel === 'voice' && !c.accepts.has('voice')) engage('missed', this.now + MINUTE);
    else if (this.rng.next() < odds.open) {
      const at = this.now + this.rng.between(0.1, 6) * HOUR;
      engage('opened', at);
      if (this.rng.next() < odds.act / odds.open) engage('clicked', at + MINUTE);
    }
    if (!c.accepts.has(channel) && this.rng.next() < truth.stated.optOutAfterUnwanted)
      this.agenda.add(this.now + HOUR, () =>
        this.changePreferences({ optOut: [{ channel }], via: channel }, 'onevoice/dispatcher'),
      );
  }
}

const lifetimes = new Map<string, number>();
function lifetimeMs(duration: string): number {
  let ms = lifetimes.get(duration);
  if (ms === undefined) lifetimes.set(duration, (ms = durationMs(duration)));
  return ms;
}

/** A customer's period before anything happened in it. */
export function emptyOutcome(customer: SimCustomer): CustomerOutcome {
  return {
    customer,
    sends: [],
    decisions: new Map(),
    critical: new Map(),
    collections: [],
    rejected: 0,
  };
}

/** Whether a send breaks what the customer said at that moment: an opt-out, a missing consent. */
export function refusedAtSend(
  prefs: Pick<ExplicitPreferences, 'optOuts' | 'consents'>,
  policy: Pick<Policy, 'consentRequired'>,
  channel: Channel,
  category: Category,
): boolean {
  if (refusalOf(prefs.optOuts, { channel, category })) return true;
  const needs = policy.consentRequired[category];
  return Boolean(needs?.includes(channel) && !prefs.consents.some((k) => k.channel === channel));
}
