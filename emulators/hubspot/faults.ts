/**
 * Fault injection: the shared errors, latency, hung requests and 429 storms, plus per-record
 * rejections, driven by a seeded random source so that a test run can be replayed exactly.
 */
import { type EmulatorFaults, NO_FAULTS as NO_SHARED_FAULTS, SeededFaultInjector } from '../shared/faults.ts';

/** Fault settings; every field can be changed at run time with `setFaults`. */
export interface HubSpotFaults extends EmulatorFaults {
  /** E-mail addresses (or a test) whose records fail inside batches with a per-input error (207). */
  rejectEmails: readonly string[] | ((email: string) => boolean);
}

/** Settings without any fault. */
export const NO_FAULTS: HubSpotFaults = { ...NO_SHARED_FAULTS, rejectEmails: [] };

/** Decides, call by call, which faults happen, including which records are rejected. */
export class FaultInjector extends SeededFaultInjector<HubSpotFaults> {
  constructor(initial: Partial<HubSpotFaults> = {}) {
    super(NO_FAULTS, initial);
  }

  /** Whether a record with this e-mail address is to fail. */
  rejectsEmail(email: string | null | undefined): boolean {
    if (!email) return false;
    const rule = this.current.rejectEmails;
    if (typeof rule === 'function') return rule(email);
    const lower = email.toLowerCase();
    return rule.some((e) => e.toLowerCase() === lower);
  }
}
