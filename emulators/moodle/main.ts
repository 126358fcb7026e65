/**
 * Starts the Moodle emulator from the command line:
 *   npx tsx emulators/moodle/main.ts [port]
 * Environment: MOODLE_EMULATOR_PORT (or PORT), MOODLE_EMULATOR_TOKENS (comma-separated; default the
 * emulator's DEFAULT_TOKEN), MOODLE_EMULATOR_RATE_MAX (calls per 10 s and token; default unlimited),
 * MOODLE_EMULATOR_LANGS (installed languages, comma-separated; default en), MOODLE_EMULATOR_DEBUG=0
 * (no debuginfo in errors, like a production site), MOODLE_EMULATOR_LOG=1.
 */
import { envList, serveFromCommandLine } from '../shared/lifecycle.ts';
import { createMoodleEmulator, DEFAULT_TOKEN, REST_PATH } from './index.ts';

const port = Number(process.argv[2] ?? process.env.MOODLE_EMULATOR_PORT ?? process.env.PORT ?? 4040);
const tokens = envList(process.env.MOODLE_EMULATOR_TOKENS) ?? [DEFAULT_TOKEN];
const max = Number(process.env.MOODLE_EMULATOR_RATE_MAX ?? Number.POSITIVE_INFINITY);
const languages = envList(process.env.MOODLE_EMULATOR_LANGS);

const emulator = createMoodleEmulator({
  tokens,
  rateLimit: { max, intervalMs: 10_000 },
  site: { debug: process.env.MOODLE_EMULATOR_DEBUG !== '0', ...(languages ? { languages } : {}) },
  logger: process.env.MOODLE_EMULATOR_LOG === '1',
});
await serveFromCommandLine(
  emulator,
  port,
  (baseUrl) =>
    `Moodle emulator listening on ${baseUrl}${REST_PATH}\n` +
    `  try: curl '${baseUrl}${REST_PATH}?wstoken=${tokens[0]}&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json'\n` +
    `  seed: curl -H 'content-type: application/json' -d '{"fullname":"First aid","shortname":"FA-1","idnumber":"FA1"}' ${baseUrl}/_emulator/courses\n`,
);
