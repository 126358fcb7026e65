import type { Store } from '../../store/store.ts';
import { generatePassword, hashPassword } from './passwords.ts';

/**
 * On the very first start (no users yet) creates the `admin` user. The password comes from
 * JUNCTION_ADMIN_PASSWORD or is generated, returned once so the caller can print it, and must be changed
 * at first login when generated.
 */
export async function ensureFirstAdmin(
  store: Store,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ username: string; password: string } | null> {
  if ((await store.users.count()) > 0) return null;
  const given = env.JUNCTION_ADMIN_PASSWORD;
  const password = given && given.length >= 10 ? given : generatePassword();
  await store.users.create({
    username: 'admin',
    name: 'Administrator',
    role: 'admin',
    passwordHash: await hashPassword(password),
    mustChangePassword: !given,
  });
  return { username: 'admin', password };
}
