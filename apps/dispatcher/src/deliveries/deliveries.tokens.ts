/** How the links in every message are made: signed with the secret the profiler checks them with. */
export const DISPATCHER_LINKS = Symbol('DispatcherLinks');
export interface DispatcherLinks {
  secret: string;
  baseUrl: string;
  lifetimeMs: number;
  /** This dispatcher's public address, for tracked links in emails; unset: not tracked. */
  trackingBaseUrl?: string;
}

/** How hard the sender tries, and how long a claim lasts. */
export const SENDING_POLICY = Symbol('SendingPolicy');
export interface SendingPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  /** A claim older than this belongs to a sender that died mid-call (longer than any provider timeout). */
  leaseMs: number;
  /**
   * How long after a call whose outcome is unknown the provider is first asked what it took:
   * longer than the provider takes to record a message it accepted.
   */
  lookupDelayMs: number;
  breakerThreshold: number;
  breakerCoolDownMs: number;
}

/** The secret providers sign their callbacks and inbound messages with. */
export const PROVIDER_FEEDBACK = Symbol('ProviderFeedback');
export interface ProviderFeedback {
  secret: string;
  /** The replay window: how far a callback's signed timestamp may be from this machine's time. */
  windowMs: number;
}

/** The sources whose approved decisions the dispatcher carries out (OV_GATE_SOURCES). */
export const GATE_SOURCES = Symbol('GateSources');
