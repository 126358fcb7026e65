// `npm run build`: bundles the hub into dist/ with esbuild and builds the dashboard into web/dist. `--code` or
// `--web` builds one part only. `npm pack` runs it first (prepack). It does not type-check: `npm run typecheck`
// does (part of `npm test`).
//
// Why a bundle and not tsc's file-for-file output: the hub loads ~1 450 modules, nearly all from its
// dependencies, and Node 24 pays for every module it resolves (it parses the package's `exports` map again for
// each file: date-fns alone cost ~2 s). Measured on the same 2-core machine, `junction --help` took 1.9 s of CPU
// and a 268 MB peak RSS from tsc's output, 0.8 s and 111 MB from one bundle.
//
// Left out of the bundle and loaded from node_modules: the native SQLite driver, the PostgreSQL and MySQL drivers
// and exceljs (each loaded only where a store, connection or import needs it), and @fastify/swagger-ui, which
// reads its own files (the viewer's pages, its logo) from beside its code.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { CODE_STAMP, codeStampNow, ROOT } from './build-state.mjs';

const args = process.argv.slice(2);
const parts = args.length === 0 ? ['--code', '--web'] : args;

/** Packages that stay outside the bundle (see above). */
const EXTERNAL = ['better-sqlite3', 'pg', 'pg-native', 'mysql2', 'exceljs', '@fastify/swagger-ui'];

if (parts.includes('--code')) {
  // Taken before bundling: a source edited while esbuild runs must not count as built.
  const stamp = codeStampNow();
  // From scratch: nothing of an earlier build may live on in dist/.
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { junction: 'src/cli/main.ts' },
    outdir: 'dist',
    bundle: true,
    // The demo (with the emulators) is a chunk of its own, loaded only by a hub that runs the demo.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: EXTERNAL,
    // CommonJS dependencies inside an ES module bundle call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __junctionRequire } from 'node:module';\nconst require = __junctionRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // src/demo/index.ts reads its workspace beside itself (`new URL('./workspace.yaml', import.meta.url)`); in the
  // bundle that is beside the chunk that holds it.
  cpSync(join(ROOT, 'src/demo/workspace.yaml'), join(ROOT, 'dist/chunks/workspace.yaml'));
  // Last: the content hash of the sources it was built from, which bin/junction.js compares (build-state.mjs).
  writeFileSync(CODE_STAMP, stamp);
  console.log(`bundled src/ into ${relative(process.cwd(), join(ROOT, 'dist')) || '.'}/`);
}
if (parts.includes('--web')) {
  const r = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
