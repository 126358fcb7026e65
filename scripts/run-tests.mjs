// Finds every *.test.ts under test/ and runs them with node's test runner (tsx as loader).
// Node 20's runner has no glob support of its own, hence this small launcher. It prints the spec report
// and closes with one plain `N passed, N failed` line (from a TAP copy of the report) for CI to read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const filter = process.argv[2];
const files = find('test')
  .filter((f) => !filter || f.includes(filter))
  .sort();
const tapDir = mkdtempSync(join(tmpdir(), 'junction-tap-'));
const tapFile = join(tapDir, 'report.tap');
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
let summary = '';
try {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
} catch {
  summary = '0 passed, 1 failed';
}
rmSync(tapDir, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(r.status ?? 1);
