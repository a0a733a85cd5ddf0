import { Inject, Injectable } from '@nestjs/common';
import {
  cloudEvent,
  PROFILE_UPDATED,
  Topics,
  type PreferenceChangedData,
  type ProfileData,
} from '@onevoice/contracts';
import { outbound, type Outbound } from '@onevoice/messaging';
import { createHash } from 'node:crypto';
import {
  addSignal,
  explain,
  infer,
  type Signal,
  type ProfilerConfig,
  applyPreferenceChange,
  type ChangeMeta,
  type ConsentEntry,
  composeProfile,
  materialKey,
} from '@onevoice/policy';
import { PROFILER_CONFIG } from '../config/profiler-config.provider';
import type { CustomerRow } from './profile.repository';

export const PROFILER_SOURCE = 'onevoice/behaviour-profiler';

/**
 * The profiler's work on customers held in memory for one transaction: signals and preference
 * changes applied, consent ledger lines collected, and a new profile published only when
 * something material changed.
 */
@Injectable()
export class ProfileService {
  constructor(@Inject(PROFILER_CONFIG) private readonly config: ProfilerConfig) {}

  addSignals(row: CustomerRow, signals: readonly Signal[]): void {
    for (const s of signals) row.behaviour = addSignal(row.behaviour, s, this.config);
  }

  changePreferences(
    row: CustomerRow,
    change: PreferenceChangedData,
    meta: ChangeMeta,
  ): ConsentEntry[] {
    const { prefs, entries } = applyPreferenceChange(row.preferences, change, meta);
    row.preferences = prefs;
    return entries;
  }

  /** The profile as it stands now (not yet published). */
  profileOf(row: CustomerRow, now: Date, version = row.version): ProfileData {
    return composeProfile(
      row.customerId,
      version,
      row.preferences,
      infer(row.behaviour, this.config, now.getTime()),
    );
  }

  /** The new profile to publish, when it differs materially from the last one published. */
  publishIfChanged(row: CustomerRow, now: Date): Outbound[] {
    const profile = this.profileOf(row, now, row.version + 1);
    // A digest is enough to compare with, and keeps the stored row small.
    const key = createHash('sha256')
      .update(materialKey(profile, this.config.publishConfidenceStep))
      .digest('base64url')
      .slice(0, 22);
    if (key === row.publishedKey) return [];
    row.version = profile.version;
    row.publishedKey = key;
    return [
      outbound(
        Topics.profiles,
        cloudEvent({
          id: `${row.customerId}:profile:${profile.version}`,
          source: PROFILER_SOURCE,
          type: PROFILE_UPDATED,
          subject: row.customerId,
          time: now,
          data: profile,
        }),
      ),
    ];
  }

  /** The profile explaining itself: why a channel is preferred, with evidence and confidence. */
  explain(row: CustomerRow, now: Date) {
    const inference = infer(row.behaviour, this.config, now.getTime());
    const prefs = row.preferences;
    const said = prefs.preferredChannel
      ? [
          `Said to prefer ${prefs.preferredChannel}: that always comes before what behaviour suggests.`,
        ]
      : [];
    return {
      customerId: row.customerId,
      version: row.version,
      profile: this.profileOf(row, now),
      explicit: prefs,
      inferred: {
        preferred: inference.preferred ?? null,
        channels: inference.channels,
        byCategory: inference.byCategory,
        activeHoursUtc: inference.activeHours,
        evidence: inference.totalEvidence,
      },
      explanation: [...said, ...explain(inference)],
      configVersion: this.config.version,
    };
  }
}
