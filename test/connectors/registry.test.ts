// The connector registry is the one list of systems, and each connector describes itself: this test walks
// it, so a new system without labels, forms or a way to authenticate cannot slip in, and it scans the code
// for system-specific branches outside the systems' own folders (by the syntax tree: every spelling).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH_KINDS } from '../../src/connectors/connector.ts';
import { CONNECTORS, describeSystems, systemNames } from '../../src/connectors/registry.ts';
import { findSystemBranches, scanForSystemBranches, sourceFiles } from '../helpers/system-branches.ts';

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

/**
 * Places that name systems without branching on a system: each with the reason. Matched by file and the
 * flagged code's text, so a real branch in the same file is still found.
 */
const NOT_BRANCHES: { file: RegExp; text: RegExp; why: string }[] = [
  {
    file: /^src\/core\/expression\//,
    text: /\.kind\b|^'sql'$/,
    why: "'sql' is the kind of a compiled SQL part there (text | value | identifier | sql), not the SQL system",
  },
  {
    file: /^src\/demo\//,
    text: /./,
    why: 'the demo workspace starts the emulators of the systems it shows and points its connections at them: data, not a branch',
  },
];

test('the scan finds every spelling of a system branch, and no mention that is not one', () => {
  const systems = ['hubspot', 'brevo', 'sql'];
  const kinds = (code: string) =>
    findSystemBranches('x.tsx', code, systems).map((b) => `${b.kind}: ${b.text}`);
  const branches = [
    "if (system === 'hubspot') {}",
    "if ('hubspot' === c.system) {}",
    'if (c.system != `brevo`) {}',
    "if ((connection.system as string) === 'sql') {}",
    "switch (s) { case 'hubspot': break; }",
    "if ('hubspot' in handlers) {}",
    "if (code.startsWith('hubspot_')) {}",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the code under scan holds a template literal
    'if (code.startsWith(`brevo_${x}`)) {}',
    "if (['hubspot', 'brevo'].includes(system)) {}",
    "const t = new Set(['hubspot', 'brevo']);",
    "const def = CONNECTORS['hubspot'];",
    'const def = CONNECTORS.hubspot;',
    "const icons = { hubspot: 'HS', brevo: 'BR' };",
    "type S = 'hubspot' | 'other';",
    "const el = <div>{system === 'brevo' && <b />}</div>;",
    "const x = handlers.get('hubspot');",
  ];
  for (const code of branches) assert.equal(kinds(code).length, 1, `${code} → ${kinds(code).join('; ')}`);
  const fine = [
    "const c = { id: 'crm', system: 'hubspot' };", // data: a connection of that system
    "throw new Error('hubspot_rate_limited happened');",
    "if (kind === 'sqlite') {}",
    "const label = t('conn.hubspot');",
    'if (system === other) {}',
  ];
  for (const code of fine) assert.deepEqual(kinds(code), [], code);
});

test('no system-specific branch exists outside the connector folders', () => {
  const names = systemNames();
  const ownFolders = new RegExp(`^src/connectors/(${names.join('|')})(/|$)`);
  const found = scanForSystemBranches([...sourceFiles('src', ownFolders), ...sourceFiles('web/src')], names)
    .filter((b) => !NOT_BRANCHES.some((n) => n.file.test(b.file) && n.text.test(b.text)))
    .map((b) => `${b.file}:${b.line} (${b.kind}): ${b.text}`);
  assert.deepEqual(found, []);
});

test("a connector's own folder branches on no other system", () => {
  const names = systemNames();
  const found = names
    .flatMap((system) =>
      scanForSystemBranches(
        sourceFiles(`src/connectors/${system}`),
        names.filter((n) => n !== system),
      ),
    )
    .map((b) => `${b.file}:${b.line} (${b.kind}): ${b.text}`);
  assert.deepEqual(found, []);
});
