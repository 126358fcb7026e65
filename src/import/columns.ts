import type { MappingDefinition } from '../core/mapping-definition.ts';

/** Placeholders of a template (`{a} {b.c}`), without the `{{ }}` literal braces. */
function placeholders(template: string): string[] {
  return [...template.replace(/\{\{|\}\}/g, '').matchAll(/\{([^{}]+)\}/g)].map((m) =>
    (m[1] as string).trim(),
  );
}

/** The file columns a mapping reads: its key, every `from` and every template placeholder. */
export function mappingColumns(mapping: MappingDefinition): string[] {
  const out = new Set<string>([mapping.source.key]);
  for (const f of mapping.fields) {
    if (f.from !== undefined) out.add(f.from);
    if (f.template !== undefined) for (const p of placeholders(f.template)) out.add(p);
  }
  return [...out];
}
