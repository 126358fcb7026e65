import type { FormFieldSchema, SystemDescription } from '../../src/core/system-description.ts';

/**
 * The generated connection form without React: which fields a system's JSON Schemas give, which input
 * each one takes, and how the typed values become the connection's config. Kept pure so a test can hold
 * every system's form to it.
 */

/** One input of the generated form: a labelled field of the system's config or secret schema. */
export interface FormField {
  key: string;
  part: 'config' | 'secret';
  schema: FormFieldSchema;
  required: boolean;
}

/** The input a field takes. */
export type FieldInput = 'file' | 'select' | 'checkbox' | 'number' | 'url' | 'text' | 'password';

/** The form of a system, from its connector's JSON Schemas: labelled fields; the rest stay advanced. */
export function formFields(info: SystemDescription | undefined): FormField[] {
  if (!info) return [];
  return (['config', 'secret'] as const).flatMap((part) => {
    const schema = info[part];
    return Object.entries(schema.properties ?? {})
      .filter(([, f]) => f.label)
      .map(([key, f]) => ({ key, part, schema: f, required: (schema.required ?? []).includes(key) }));
  });
}

/** The choices of an enum field (directly or inside `anyOf`). */
export const choicesOf = (f: FormFieldSchema): unknown[] | undefined =>
  f.enum ?? f.anyOf?.find((a) => a.enum)?.enum;

/** The JSON types a field takes (`anyOf` spreads them over its branches). */
const typesOf = (f: FormFieldSchema): string[] =>
  [f.type, ...(f.anyOf ?? []).map((a) => a.type)].filter((t): t is string => typeof t === 'string');

/** Whether a field takes a number (so its text is stored as one). */
export const isNumeric = (f: FormFieldSchema) =>
  f.widget === 'number' || typesOf(f).some((t) => t === 'integer' || t === 'number');

/** Whether a field is a yes/no switch (a boolean, or declared a checkbox). */
export const isBoolean = (f: FormFieldSchema) =>
  f.widget === 'checkbox' || (typesOf(f).length > 0 && typesOf(f).every((t) => t === 'boolean'));

/** The input a field is shown with: its declared widget, else what its type suggests; secrets are hidden. */
export function inputOf(field: FormField): FieldInput {
  if (field.part === 'secret') return 'password';
  const f = field.schema;
  if (f.widget === 'file') return 'file';
  if (isBoolean(f)) return 'checkbox';
  if (choicesOf(f)) return 'select';
  if (isNumeric(f)) return 'number';
  return f.widget === 'url' ? 'url' : 'text';
}

/** A stored config value as the form holds it: text (a checkbox `'true'`/`'false'`; `''` is unset). */
export const formValue = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Whether a checkbox shows ticked: its value once set, else its default. */
export const isChecked = (f: FormField, value: string): boolean =>
  value === '' ? f.schema.default === true : value === 'true';

/**
 * The config to save: the stored config (keys the form does not show, such as `pageSize`, stay) with the
 * form's values over it. A blank field falls back to its default (the key is left out); typed text is
 * trimmed, a chosen value (the tab delimiter) kept as it is; numbers are stored as numbers; a checkbox
 * as `true`/`false`, left out when it says what the default says.
 */
export function configFromForm(
  fields: FormField[],
  values: Record<string, string>,
  stored: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...stored };
  for (const f of fields.filter((x) => x.part === 'config')) {
    const raw = values[f.key] ?? '';
    const input = inputOf(f);
    if (input === 'checkbox') {
      const on = isChecked(f, raw);
      if (on === (f.schema.default === true) && !f.required) delete body[f.key];
      else body[f.key] = on;
      continue;
    }
    const v = input === 'select' ? raw : raw.trim();
    if (v === '') delete body[f.key];
    else body[f.key] = input === 'number' && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  return body;
}
