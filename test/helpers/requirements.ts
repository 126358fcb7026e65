/**
 * What some suites need from the machine, and the skip reason when it is missing. Every suite that needs
 * Chromium or `../shared/specs` asks here, so the path the tests use is the one `.ci/run` installs and the
 * reason the launcher prints (and, under `CI`, fails on) is worded once.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's Chromium, the browser playwright-core drives; `.ci/run` installs it when this path is missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `false` when Chromium is there, else the reason a browser suite skips (a `describe` `skip:` value). */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}`;
}

/** HubSpot's official OpenAPI documents, kept beside the repository in `../shared/specs/hubspot/`. */
export const HUBSPOT_SPEC_DIR = new URL('../../../shared/specs/hubspot/', import.meta.url);

/** `false` when every named spec file is there, else the reason naming the first missing one. */
export function hubspotSpecsMissing(files: readonly string[]): string | false {
  const missing = files.find((f) => !existsSync(new URL(f, HUBSPOT_SPEC_DIR)));
  return missing === undefined ? false : `${fileURLToPath(new URL(missing, HUBSPOT_SPEC_DIR))} not found`;
}
