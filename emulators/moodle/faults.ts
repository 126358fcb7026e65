/**
 * Fault injection for the Moodle emulator: the shared seeded faults (server errors, latency, hung
 * requests, 429 storms), applied to web service calls only, never to the test-only `/_emulator` routes.
 */
import { type EmulatorFaults, NO_FAULTS as NO_SHARED_FAULTS, SeededFaultInjector } from '../shared/faults.ts';

/** Fault settings (`errorRate`, `latencyMs`, `timeoutRate`/`timeoutMs`, `rateLimitStorm`, `seed`). */
export type MoodleFaults = EmulatorFaults;

/** Settings without any fault. */
export const NO_FAULTS: MoodleFaults = NO_SHARED_FAULTS;

/** Decides, call by call, which faults happen. */
export class FaultInjector extends SeededFaultInjector<MoodleFaults> {
  constructor(initial: Partial<MoodleFaults> = {}) {
    super(NO_FAULTS, initial);
  }
}
