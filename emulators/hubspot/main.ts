/**
 * Starts the HubSpot emulator from the command line so people can poke at it:
 *   npx tsx emulators/hubspot/main.ts [port]
 * Environment: HUBSPOT_EMULATOR_PORT (or PORT), HUBSPOT_EMULATOR_TOKENS (comma-separated; default:
 * any token), HUBSPOT_EMULATOR_RATE_MAX (calls per 10 s; "Infinity" disables), HUBSPOT_EMULATOR_LOG=1.
 */
import { createHubSpotEmulator } from './index.ts';

const port = Number(process.argv[2] ?? process.env.HUBSPOT_EMULATOR_PORT ?? process.env.PORT ?? 4010);
const tokens = process.env.HUBSPOT_EMULATOR_TOKENS?.split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const max = Number(process.env.HUBSPOT_EMULATOR_RATE_MAX ?? 100);

const emulator = createHubSpotEmulator({
  tokens: tokens && tokens.length > 0 ? tokens : undefined,
  rateLimit: { max, intervalMs: 10_000 },
  logger: process.env.HUBSPOT_EMULATOR_LOG === '1',
});
const baseUrl = await emulator.listen(port);
process.stdout.write(
  `HubSpot emulator listening on ${baseUrl}\n` +
    `  try: curl -H 'Authorization: Bearer ${tokens?.[0] ?? 'any-token'}' ${baseUrl}/crm/v3/objects/contacts\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
