import { JunctionError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { generatePassword, hashPassword } from './passwords.ts';

/** Shortest password the first admin may get from the environment (the same rule as for every user). */
export const MIN_ADMIN_PASSWORD_LENGTH = 10;

/** JUNCTION_ADMIN_PASSWORD is set but too short: the hub does not start (rather than pick another one). */
export class AdminPasswordTooShortError extends JunctionError {
  override readonly code = 'admin_password_too_short';
}

/**
 * The admin password the environment gives (JUNCTION_ADMIN_PASSWORD), or undefined when it gives none.
 * Throws AdminPasswordTooShortError when it is set but shorter than 10 characters: `junction start`
 * calls this first, so the mistake stops the start instead of being replaced silently.
 */
export function adminPasswordFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.JUNCTION_ADMIN_PASSWORD;
  if (given === undefined || given === '') return undefined;
  if (given.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new AdminPasswordTooShortError(
      `JUNCTION_ADMIN_PASSWORD is too short (${given.length} characters): the admin password needs at least ${MIN_ADMIN_PASSWORD_LENGTH}`,
    );
  }
  return given;
}

/**
 * On the very first start (no users yet) creates the `admin` user. The password comes from
 * JUNCTION_ADMIN_PASSWORD (then `password` is null: the operator knows it, and it is never printed) or
 * is generated, returned once so the caller can print it, and must be changed at first login.
 * A JUNCTION_ADMIN_PASSWORD shorter than 10 characters is refused with AdminPasswordTooShortError.
 */
export async function ensureFirstAdmin(
  store: Store,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ username: string; password: string | null } | null> {
  if ((await store.users.count()) > 0) return null;
  const given = adminPasswordFromEnv(env);
  const password = given ?? generatePassword();
  await store.users.create({
    username: 'admin',
    name: 'Administrator',
    role: 'admin',
    passwordHash: await hashPassword(password),
    mustChangePassword: !given,
  });
  return { username: 'admin', password: given ? null : password };
}
