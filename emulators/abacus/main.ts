/**
 * Starts the Abacus emulator from the command line:
 *   npx tsx emulators/abacus/main.ts [port]
 * Environment: ABACUS_EMULATOR_PORT (or PORT), ABACUS_EMULATOR_CLIENT_ID / _CLIENT_SECRET (default
 * junction / junction-secret), ABACUS_EMULATOR_RATE_MAX (calls per 10 s; "Infinity" disables),
 * ABACUS_EMULATOR_LOG=1.
 */
import { serveFromCommandLine } from '../shared/lifecycle.ts';
import { createAbacusEmulator, DEFAULT_CLIENT } from './index.ts';

const port = Number(process.argv[2] ?? process.env.ABACUS_EMULATOR_PORT ?? process.env.PORT ?? 4030);
const client = {
  clientId: process.env.ABACUS_EMULATOR_CLIENT_ID ?? DEFAULT_CLIENT.clientId,
  clientSecret: process.env.ABACUS_EMULATOR_CLIENT_SECRET ?? DEFAULT_CLIENT.clientSecret,
};
const emulator = createAbacusEmulator({
  clients: [client],
  rateLimit: { max: Number(process.env.ABACUS_EMULATOR_RATE_MAX ?? 100), intervalMs: 10_000 },
  logger: process.env.ABACUS_EMULATOR_LOG === '1',
});
await serveFromCommandLine(
  emulator,
  port,
  (baseUrl) =>
    `Abacus emulator listening on ${baseUrl} (client id '${client.clientId}')\n` +
    `  token:    curl -u ${client.clientId}:<secret> -d grant_type=client_credentials ${baseUrl}/oauth/oauth2/v1/token\n` +
    `  subjects: curl -H 'Authorization: Bearer <token>' ${baseUrl}/api/entity/v1/mandants/7777/Subjects\n`,
);
