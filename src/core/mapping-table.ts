import type { FieldMapping, MappingDefinition } from './mapping-definition.ts';

/** Languages the mapping table is written in (the customer signs it off in theirs). */
export type TableLanguage = 'de' | 'en';

const WORDS = {
  de: {
    heading: ['Quellfeld', 'Umwandlung', 'Zielfeld', 'Pflicht'],
    mapping: 'Mapping',
    source: 'Quelle',
    target: 'Ziel',
    key: 'Schlüssel',
    matchKey: 'Abgleich über',
    filter: 'Filter (welche Datensätze)',
    deletes: 'Löschungen in der Quelle',
    writeBack: 'Rückschreiben in die Quelle',
    all: 'alle',
    yes: 'ja',
    no: 'nein',
    constant: 'fester Wert',
    template: 'Vorlage',
    formula: 'Formel',
  },
  en: {
    heading: ['Source field', 'Transform', 'Target property', 'Required'],
    mapping: 'Mapping',
    source: 'Source',
    target: 'Target',
    key: 'Key',
    matchKey: 'Matched by',
    filter: 'Filter (which records)',
    deletes: 'Deletions in the source',
    writeBack: 'Written back to the source',
    all: 'all',
    yes: 'yes',
    no: 'no',
    constant: 'constant',
    template: 'template',
    formula: 'formula',
  },
} as const;

/** A transform as a person reads it: `valueMap (ZH → Zürich, BE → Bern)`, `date (format dd.MM.yyyy)`. */
function transformText(t: Record<string, unknown>): string {
  const { type, ...options } = t;
  // An option switched off is the default: it says nothing a reader needs.
  const parts = Object.entries(options)
    .filter(([, v]) => v !== false && v !== undefined)
    .map(([k, v]) => {
      if (v && typeof v === 'object' && !Array.isArray(v))
        return Object.entries(v as Record<string, unknown>)
          .map(([from, to]) => `${from} → ${String(to)}`)
          .join(', ');
      return `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`;
    });
  return parts.length ? `${String(type)} (${parts.join(', ')})` : String(type);
}

function sourceText(f: FieldMapping, w: (typeof WORDS)[TableLanguage]): string {
  if (f.from !== undefined) return f.from;
  if (f.value !== undefined) return `${w.constant}: ${JSON.stringify(f.value)}`;
  if (f.template !== undefined) return `${w.template}: ${f.template}`;
  return `${w.formula}: ${f.formula ?? ''}`;
}

/**
 * The mapping table customers sign off (ChiliDataHub's "Mapping-Tabelle"): what the mapping reads and
 * writes, field by field, and the settings that decide which records go where. Pure: the server writes
 * it as `.xlsx` or CSV.
 */
export function mappingTable(
  m: MappingDefinition,
  lang: TableLanguage = 'de',
): { about: [string, string][]; heading: string[]; rows: string[][] } {
  const w = WORDS[lang];
  const writeBack = Object.entries(m.writeBack ?? {})
    .filter(([, column]) => column)
    .map(([mark, column]) => `${mark} → ${column}`)
    .join(', ');
  const about: [string, string][] = [
    [w.mapping, `${m.name} (${m.id})`],
    [w.source, `${m.source.connectionId} / ${m.source.object}`],
    [w.key, m.source.key],
    [w.target, `${m.target.connectionId} / ${m.target.object}`],
    [
      w.matchKey,
      [m.matchKey?.target, m.matchKey?.source ? `(${m.matchKey.source})` : ''].filter(Boolean).join(' '),
    ],
    [w.filter, m.filter?.trim() || w.all],
    [w.deletes, m.deletes ?? 'ignore'],
  ];
  if (writeBack) about.push([w.writeBack, writeBack]);
  const rows = m.fields.map((f) => [
    sourceText(f, w),
    f.transform.map((t) => transformText(t as Record<string, unknown>)).join(' → '),
    f.target,
    f.required ? w.yes : w.no,
  ]);
  return { about, heading: [...w.heading], rows };
}
