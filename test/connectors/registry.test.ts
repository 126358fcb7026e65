// The connector registry is the one list of systems, and each connector describes itself: this test walks
// it, so a new system without labels, forms or a way to authenticate cannot slip in, and it scans the code
// for system-specific branches outside the systems' own folders.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUTH_KINDS } from '../../src/connectors/connector.ts';
import { CONNECTORS, describeSystems, systemNames } from '../../src/connectors/registry.ts';

type Schema = {
  properties?: Record<string, { label?: { de?: string; en?: string }; help?: { de?: string; en?: string } }>;
};

test('every system describes itself: names in German and English, a mark, an auth kind, forms as JSON Schema', () => {
  const systems = describeSystems();
  assert.deepEqual(systems.map((s) => s.system).sort(), [...systemNames()].sort());
  for (const s of systems) {
    assert.ok(s.label.de && s.label.en, `${s.system}: label in both languages`);
    assert.match(s.mark.short, /^[A-Z]{2}$/, `${s.system}: a two-letter mark`);
    assert.match(s.mark.color, /^#[0-9a-f]{6}$/i);
    assert.ok((AUTH_KINDS as readonly string[]).includes(s.auth), `${s.system}: auth ${s.auth}`);
    for (const [part, schema] of [
      ['config', s.config],
      ['secret', s.secret],
    ] as const) {
      const props = (schema as Schema).properties ?? {};
      for (const [name, field] of Object.entries(props)) {
        if (!field.label) continue; // advanced: kept as it is, set in YAML
        assert.ok(field.label.de && field.label.en, `${s.system}.${part}.${name}: label in both languages`);
        if (field.help)
          assert.ok(field.help.de && field.help.en, `${s.system}.${part}.${name}: help in both`);
      }
    }
    const labelled = Object.values({
      ...((s.config as Schema).properties ?? {}),
      ...((s.secret as Schema).properties ?? {}),
    }).filter((f) => f.label);
    assert.ok(labelled.length > 0, `${s.system}: its form has at least one field`);
    // A system that sends webhooks or has OAuth says so in its definition, nowhere else.
    assert.equal(s.webhook, Boolean(CONNECTORS[s.system]?.webhook));
    assert.equal(s.oauth, Boolean(CONNECTORS[s.system]?.oauth));
  }
});

/** Every source file below `dir`, except the systems' own connector folders. */
function sources(dir: string, skip: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (skip.test(p)) return [];
    if (statSync(p).isDirectory()) return sources(p, skip);
    return /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

test('no system-specific branch exists outside the connector folders', () => {
  const names = systemNames().join('|');
  const ownFolders = new RegExp(`^src/connectors/(${names})(/|$)`);
  const branches = [
    new RegExp(`\\bsystem\\s*[!=]==?\\s*['"\`](${names})['"\`]`),
    new RegExp(`['"\`](${names})['"\`]\\s*[!=]==?\\s*\\S*\\.?system\\b`),
    new RegExp(`startsWith\\(\\s*['"\`](${names})_`),
    new RegExp(`CONNECTORS\\.(${names})\\b`),
    new RegExp(`CONNECTORS\\[\\s*['"\`](${names})['"\`]`),
    new RegExp(`case\\s+['"\`](${names})['"\`]\\s*:`),
  ];
  const found: string[] = [];
  for (const file of [...sources('src', ownFolders), ...sources('web/src', /^$/)]) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (branches.some((re) => re.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
