/**
 * Fault injection for the Abacus emulator: the shared seeded faults (server errors, latency, hung
 * requests, 429 storms), applied to entity API calls only.
 */
import { type EmulatorFaults, NO_FAULTS as NO_SHARED_FAULTS, SeededFaultInjector } from '../shared/faults.ts';

/** Fault settings (`errorRate`, `latencyMs`, `timeoutRate`/`timeoutMs`, `rateLimitStorm`, `seed`); entity API calls only. */
export type AbacusFaults = EmulatorFaults;

/** Settings without any fault. */
export const NO_FAULTS: AbacusFaults = NO_SHARED_FAULTS;

/** Decides, call by call, which faults happen. */
export class FaultInjector extends SeededFaultInjector<AbacusFaults> {
  constructor(initial: Partial<AbacusFaults> = {}) {
    super(NO_FAULTS, initial);
  }
}
