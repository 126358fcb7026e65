/**
 * Starts the Brevo emulator from the command line so people can poke at it:
 *   npx tsx emulators/brevo/main.ts [port]
 * Environment: BREVO_EMULATOR_PORT (or PORT), BREVO_EMULATOR_KEYS (comma-separated; default: any key),
 * BREVO_EMULATOR_RATE_MAX (requests per second; "Infinity" disables), BREVO_EMULATOR_LOG=1.
 */
import { envList, serveFromCommandLine } from '../shared/lifecycle.ts';
import { createBrevoEmulator } from './index.ts';

const port = Number(process.argv[2] ?? process.env.BREVO_EMULATOR_PORT ?? process.env.PORT ?? 4020);
const apiKeys = envList(process.env.BREVO_EMULATOR_KEYS);
const max = Number(process.env.BREVO_EMULATOR_RATE_MAX ?? 10);

const emulator = createBrevoEmulator({
  apiKeys,
  rateLimit: { max, intervalMs: 1000 },
  logger: process.env.BREVO_EMULATOR_LOG === '1',
});
await serveFromCommandLine(
  emulator,
  port,
  (baseUrl) =>
    `Brevo emulator listening on ${baseUrl}/v3\n` +
    `  try: curl -H 'api-key: ${apiKeys?.[0] ?? 'any-key'}' ${baseUrl}/v3/contacts\n`,
);
