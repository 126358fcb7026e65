import { SecretDestinationError } from '../core/secret-destination.ts';
import type { Connection, SystemName } from '../core/types.ts';
import { hasUnreadablePassword, maskUrlPasswords } from '../core/url-credentials.ts';
import type { Store } from '../store/store.ts';
import { CONNECTORS } from './registry.ts';

/** Where a connection's secret goes, as its connector says; null when it has no destination or the config is invalid. */
export function secretDestination(system: SystemName, config: Record<string, unknown>): string | null {
  const def = CONNECTORS[system];
  if (!def?.destination) return null;
  const parsed = def.configSchema.safeParse(config);
  return parsed.success ? def.destination(parsed.data) : null;
}

/** The config with the secrets written into it (a URL's password) moved into secret fields. */
export function separateSecret(
  system: SystemName,
  config: Record<string, unknown>,
): { config: Record<string, unknown>; secret: Record<string, unknown> } {
  return CONNECTORS[system]?.separateSecret?.(config) ?? { config, secret: {} };
}

/** A config as users and logs see it: passwords inside URLs masked. */
export function maskConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? maskUrlPasswords(v) : v]),
  );
}

/**
 * The config fields holding a URL whose password has a raw `?` or `#`: where that password ends cannot be
 * told from the URL, so it would stay in the config unsealed (and the connection could not open).
 * The message names the field, never the URL.
 */
export function unreadableUrlPasswordIssues(
  config: Record<string, unknown>,
): { field: string; message: string }[] {
  return Object.entries(config)
    .filter(([, v]) => typeof v === 'string' && hasUnreadablePassword(v))
    .map(([k]) => ({
      field: `config.${k}`,
      message:
        'a password holding ? or # cannot be read from this URL (where it ends cannot be told): percent-encode ' +
        'them in it (? as %3F, # as %23), or leave it out of the URL and enter it in the password field',
    }));
}

/** What someone entered for a connection: config, and secret fields (`null` clears one, absent keeps it). */
export interface ConnectionInput {
  id: string;
  name: string;
  system: SystemName;
  config: Record<string, unknown>;
  secret?: Record<string, unknown> | undefined;
  /** The entered secret is the whole secret (a configuration file): nothing stored is kept. */
  replace?: boolean;
}

/**
 * The connection to store: secrets moved out of the config, the entered secret fields merged over the
 * stored ones, and the secret bound to the destination. A stored secret follows only as long as the
 * destination stays; pointed elsewhere, the secret must be entered again (SecretDestinationError).
 */
export function prepareConnection(input: ConnectionInput, stored: Connection | null): Connection {
  const { config, secret: fromConfig } = separateSecret(input.system, input.config);
  const entered: Record<string, unknown> = { ...fromConfig, ...(input.secret ?? {}) };
  const destination = secretDestination(input.system, config);
  const storedDestination =
    stored && stored.system === input.system
      ? stored.secretDestination === undefined
        ? secretDestination(stored.system, stored.config)
        : stored.secretDestination
      : undefined;
  const keep = !input.replace && stored !== null && storedDestination === destination;
  // A password still inside a stored URL (saved before they moved into the secret) counts as stored.
  const storedSecret = stored
    ? { ...separateSecret(stored.system, stored.config).secret, ...stored.secret }
    : {};
  const secret: Record<string, unknown> = keep ? { ...storedSecret } : {};
  for (const [k, v] of Object.entries(entered)) {
    if (v === null || v === undefined) delete secret[k];
    else secret[k] = v;
  }
  if (!keep && !input.replace && Object.keys(storedSecret).length) {
    const reentered = Object.values(entered).some((v) => v !== null && v !== undefined);
    const cleared = Object.keys(storedSecret).every((k) => k in entered);
    if (!reentered && !cleared) {
      throw new SecretDestinationError(
        `the secret of connection '${input.id}' was entered for ${maskUrlPasswords(String(storedDestination ?? 'another system'))}; ` +
          `to use ${maskUrlPasswords(String(destination ?? 'the new settings'))} enter the secret again`,
        {
          details: {
            field: 'secret',
            fields: Object.keys(storedSecret),
            from: storedDestination ?? null,
            to: destination,
          },
        },
      );
    }
  }
  return {
    id: input.id,
    name: input.name,
    system: input.system,
    config,
    secret,
    secretDestination: destination,
  };
}

/** Throws unless the connection's secret was entered for the destination its config names now. */
export function assertSecretDestination(connection: Connection): void {
  // Sealed before destinations were: trusted as stored, and bound at the next save.
  if (connection.secretDestination === undefined || !Object.keys(connection.secret).length) return;
  const now = secretDestination(
    connection.system,
    separateSecret(connection.system, connection.config).config,
  );
  if (now !== null && now !== connection.secretDestination) {
    throw new SecretDestinationError(
      `the secret of connection '${connection.id}' was entered for ${maskUrlPasswords(String(connection.secretDestination))}, ` +
        `not for ${maskUrlPasswords(now)}; enter the secret again`,
      { details: { field: 'secret', from: connection.secretDestination, to: now } },
    );
  }
}

/** What `sealStoredSecrets` changed. */
export interface SealSummary {
  /** Connections whose URL password moved into the sealed secret or whose secret got its destination. */
  connections: string[];
}

/**
 * Brings secrets stored before destinations existed up to date: a password still inside a stored
 * URL moves into the sealed secret, and a secret sealed without its destination is bound to the one
 * its config names now. Idempotent and cheap; every process runs it on start.
 */
export async function sealStoredSecrets(store: Store): Promise<SealSummary> {
  const changed: string[] = [];
  for (const { id } of await store.connections.list()) {
    const stored = await store.connections.get(id);
    const hasUrlPassword = Object.keys(separateSecret(stored.system, stored.config).secret).length > 0;
    const unbound = stored.secretDestination === undefined && Object.keys(stored.secret).length > 0;
    if (!hasUrlPassword && !unbound) continue;
    await store.connections.save(prepareConnection({ ...stored, secret: {} }, stored));
    changed.push(id);
  }
  // The SMTP password is sealed with its host and port whenever the settings are written.
  if ((await store.settings.get()).smtp?.password !== undefined) await store.settings.update({});
  return { connections: changed };
}
