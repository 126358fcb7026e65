/**
 * Fault injection for the Brevo emulator. The settings and the seeded decision logic are the same as
 * the HubSpot emulator's (errors, latency, hung calls, 429 storms, rejected e-mails), so they are shared.
 */
import type { HubSpotFaults } from '../hubspot/faults.ts';

export { FaultInjector, NO_FAULTS } from '../hubspot/faults.ts';

/**
 * Fault settings: `errorRate` (share of 5xx answers), `latencyMs`, `timeoutRate`/`timeoutMs` (hung calls),
 * `rateLimitStorm` (every call 429), `rejectEmails` (answered 400 invalid_parameter), `seed`.
 */
export type BrevoFaults = HubSpotFaults;
