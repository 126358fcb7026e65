/**
 * Starts the HubSpot emulator from the command line so people can poke at it:
 *   npx tsx emulators/hubspot/main.ts [port]
 * Environment: HUBSPOT_EMULATOR_PORT (or PORT), HUBSPOT_EMULATOR_TOKENS (comma-separated; default:
 * any token), HUBSPOT_EMULATOR_RATE_MAX (calls per 10 s; "Infinity" disables), HUBSPOT_EMULATOR_LOG=1.
 */
import { envList, serveFromCommandLine } from '../shared/lifecycle.ts';
import { createHubSpotEmulator } from './index.ts';

const port = Number(process.argv[2] ?? process.env.HUBSPOT_EMULATOR_PORT ?? process.env.PORT ?? 4010);
const tokens = envList(process.env.HUBSPOT_EMULATOR_TOKENS);
const max = Number(process.env.HUBSPOT_EMULATOR_RATE_MAX ?? 100);

const emulator = createHubSpotEmulator({
  tokens,
  rateLimit: { max, intervalMs: 10_000 },
  logger: process.env.HUBSPOT_EMULATOR_LOG === '1',
});
await serveFromCommandLine(
  emulator,
  port,
  (baseUrl) =>
    `HubSpot emulator listening on ${baseUrl}\n` +
    `  try: curl -H 'Authorization: Bearer ${tokens?.[0] ?? 'any-token'}' ${baseUrl}/crm/v3/objects/contacts\n`,
);
