import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '../..');

/** The checkout's own better-sqlite3, as an npm install elsewhere can reuse it. */
export interface LocalPrebuild {
  /** Set on the installing `npm`: where prebuild-install looks first (its `local_prebuilds` setting). */
  env: NodeJS.ProcessEnv;
  /** The better-sqlite3 version the binary belongs to; an install of any other version compiles. */
  version: string;
}

/**
 * better-sqlite3 installs a prebuilt binary from GitHub, or else compiles SQLite (minutes on a busy CI
 * machine). CI reaches the npm registry but not GitHub, so the release tests (npm pack, the newcomer's clone)
 * lay the checkout's own binary, built for this very Node, into `dir` under the name of the release asset;
 * with `env` set, `npm install`/`npm ci` of that version takes it from there and compiles nothing.
 */
export function localPrebuild(dir: string): LocalPrebuild {
  const module = join(REPO, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(module, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-czf', join(dir, name), '-C', module, 'build/Release/better_sqlite3.node']);
  return { env: { npm_config_better_sqlite3_local_prebuilds: dir }, version };
}

/** Whether node-gyp compiled the better-sqlite3 under `nodeModules` (a prebuild brings the binary only). */
export function sqliteWasCompiled(nodeModules: string): boolean {
  return existsSync(join(nodeModules, 'better-sqlite3', 'build', 'Release', 'obj.target'));
}
