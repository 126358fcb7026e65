// The dashboard's connection form is generated from each connector's JSON Schemas (web/src/form-fields.ts):
// every system's description must give a complete form in German and English, and the generated inputs
// must turn what a user types or ticks into the config the connector's schema accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { CONNECTORS, describeSystems } from '../../src/connectors/registry.ts';
import type { SystemDescription } from '../../src/core/system-description.ts';
import { configFromForm, formFields, formValue, inputOf, isChecked } from '../../web/src/form-fields.ts';

test('every field of every system is labelled in German and English, and no required field is left unlabelled', () => {
  for (const s of describeSystems()) {
    for (const part of ['config', 'secret'] as const) {
      const schema = s[part];
      for (const key of schema.required ?? []) {
        const field = schema.properties?.[key];
        assert.ok(field?.label, `${s.system}.${part}.${key} is required, so the form must show it`);
      }
    }
    const fields = formFields(s);
    assert.ok(fields.length > 0, `${s.system}: its form has at least one field`);
    for (const f of fields) {
      const where = `${s.system}.${f.part}.${f.key}`;
      assert.ok(
        f.schema.label?.de?.trim() && f.schema.label.en?.trim(),
        `${where}: label in German and English`,
      );
      if (f.schema.help)
        assert.ok(f.schema.help.de?.trim() && f.schema.help.en?.trim(), `${where}: help in both languages`);
      // A labelled field must be one the form can render: no objects or lists behind a text box.
      assert.ok(
        !['object', 'array'].includes(String(f.schema.type)),
        `${where}: a ${f.schema.type} cannot be entered in a form field; leave it unlabelled (advanced)`,
      );
      assert.ok(inputOf(f), `${where}: has an input`);
    }
  }
});

test("the form's values become a config every system's schema accepts (required fields filled)", () => {
  for (const s of describeSystems()) {
    const fields = formFields(s);
    const values = Object.fromEntries(
      fields
        .filter((f) => f.part === 'config' && f.required)
        .map((f) => {
          const input = inputOf(f);
          const choice = f.schema.enum?.[0];
          const value =
            input === 'url' ? 'https://example.ch' : input === 'number' ? '7' : String(choice ?? 'x');
          return [f.key, value];
        }),
    );
    const config = configFromForm(fields, values);
    const parsed = CONNECTORS[s.system]?.configSchema.safeParse(config);
    assert.ok(parsed?.success, `${s.system}: ${JSON.stringify(parsed?.error?.issues)}`);
  }
});

/** A system description as /api/systems gives it, from a zod config schema. */
function describe(config: z.ZodType): SystemDescription {
  return {
    system: 'example',
    label: { de: 'Beispiel', en: 'Example' },
    name: 'Example',
    mark: { short: 'EX', color: '#123456' },
    auth: 'none',
    uploads: false,
    oauth: false,
    webhook: false,
    config: z.toJSONSchema(config, { io: 'input' }) as SystemDescription['config'],
    secret: {},
  };
}

const label = (en: string) => ({ label: { de: en, en } });

test('a boolean config field is a checkbox that shows its default and is saved as true or false', () => {
  const info = describe(
    z.object({
      ssl: z.boolean().default(true).meta(label('TLS')),
      dryRun: z.boolean().optional().meta(label('Dry')),
      archive: z.boolean().meta({ ...label('Archive'), widget: 'checkbox' }),
      pageSize: z.number().int().optional().meta(label('Page size')),
      delimiter: z
        .enum([';', '\t'])
        .optional()
        .meta({ ...label('Delimiter'), widget: 'select' }),
      name: z.string().optional().meta(label('Name')),
    }),
  );
  const fields = formFields(info);
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  assert.deepEqual(
    fields.map((f) => [f.key, inputOf(f)]),
    [
      ['ssl', 'checkbox'],
      ['dryRun', 'checkbox'],
      ['archive', 'checkbox'],
      ['pageSize', 'number'],
      ['delimiter', 'select'],
      ['name', 'text'],
    ],
  );
  const ssl = byKey.ssl;
  assert.ok(ssl);
  assert.equal(isChecked(ssl, ''), true, 'an untouched box shows its default');
  assert.equal(isChecked(ssl, formValue(false)), false, 'a stored false stays unticked');

  // Untouched: defaults stay defaults; the required box is written as it shows.
  assert.deepEqual(configFromForm(fields, {}), { archive: false });
  // Ticked and unticked against the defaults; numbers as numbers; a tab kept, text trimmed.
  assert.deepEqual(
    configFromForm(
      fields,
      { ssl: 'false', dryRun: 'true', archive: 'true', pageSize: ' 250 ', delimiter: '\t', name: ' a ' },
      { keep: 1, name: 'old' },
    ),
    { keep: 1, ssl: false, dryRun: true, archive: true, pageSize: 250, delimiter: '\t', name: 'a' },
  );
  // Ticking a box back to its default leaves the key out again; a blank text clears the stored value.
  assert.deepEqual(
    configFromForm(fields, { ssl: 'true', archive: 'false', name: '' }, { ssl: false, name: 'x' }),
    {
      archive: false,
    },
  );
});
