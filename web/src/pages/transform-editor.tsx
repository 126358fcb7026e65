import { useI18n } from '../i18n/index.tsx';
import { TRANSFORM_LIST, type TransformName } from '../options.ts';
import type { TransformInput } from '../types.ts';

const DEFAULTS: Record<TransformName, TransformInput> = {
  trim: { type: 'trim' },
  lower: { type: 'lower' },
  upper: { type: 'upper' },
  default: { type: 'default', value: '' },
  date: { type: 'date', input: 'dd.MM.yyyy', output: 'yyyy-MM-dd' },
  number: { type: 'number', decimal: '.' },
  boolean: { type: 'boolean' },
  valueMap: { type: 'valueMap', map: {} },
  split: { type: 'split', separator: ' ', index: 0 },
  email: { type: 'email' },
  phone: { type: 'phone', defaultCountry: 'CH' },
  truncate: { type: 'truncate', length: 100 },
};

const mapToText = (map: Record<string, unknown>) =>
  Object.entries(map)
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');

function textToMap(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** One transform: its type and the options that type has. */
function TransformRow({
  value,
  onChange,
  onRemove,
  label,
}: {
  value: TransformInput;
  onChange: (t: TransformInput) => void;
  onRemove: () => void;
  label: string;
}) {
  const { t } = useI18n();
  const opt = (props: Record<string, unknown>) => onChange({ ...value, ...props } as TransformInput);
  return (
    <fieldset className="transform" aria-label={label}>
      <select
        aria-label={label}
        value={value.type}
        onChange={(e) => onChange(DEFAULTS[e.target.value as TransformName])}
      >
        {TRANSFORM_LIST.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {value.type === 'default' ? (
        <input
          aria-label="value"
          value={String(value.value ?? '')}
          onChange={(e) => opt({ value: e.target.value })}
        />
      ) : null}
      {value.type === 'date' ? (
        <>
          <input
            aria-label="input pattern"
            placeholder="input"
            value={value.input ?? ''}
            onChange={(e) => opt({ input: e.target.value || undefined })}
          />
          <input
            aria-label="output pattern"
            placeholder="output"
            value={value.output ?? ''}
            onChange={(e) => opt({ output: e.target.value })}
          />
        </>
      ) : null}
      {value.type === 'number' ? (
        <select
          aria-label="decimal separator"
          value={value.decimal ?? '.'}
          onChange={(e) => opt({ decimal: e.target.value })}
        >
          <option value=".">1'234.50</option>
          <option value=",">1.234,50</option>
        </select>
      ) : null}
      {value.type === 'split' ? (
        <>
          <input
            aria-label="separator"
            className="narrow"
            value={value.separator}
            onChange={(e) => opt({ separator: e.target.value })}
          />
          <input
            aria-label="index"
            className="narrow"
            type="number"
            value={value.index ?? 0}
            onChange={(e) => opt({ index: Number(e.target.value) })}
          />
        </>
      ) : null}
      {value.type === 'phone' ? (
        <input
          aria-label="default country"
          className="narrow"
          maxLength={2}
          value={value.defaultCountry ?? 'CH'}
          onChange={(e) => opt({ defaultCountry: e.target.value.toUpperCase() })}
        />
      ) : null}
      {value.type === 'truncate' ? (
        <input
          aria-label="length"
          className="narrow"
          type="number"
          min={1}
          value={value.length}
          onChange={(e) => opt({ length: Number(e.target.value) })}
        />
      ) : null}
      {value.type === 'valueMap' ? (
        <div className="value-map">
          <label>
            {t('map.valueMap')}
            <textarea
              rows={3}
              defaultValue={mapToText(value.map)}
              onBlur={(e) => opt({ map: textToMap(e.target.value) })}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={value.strict ?? false}
              onChange={(e) => opt({ strict: e.target.checked })}
            />{' '}
            strict
          </label>
        </div>
      ) : null}
      <button
        type="button"
        className="btn btn-small btn-ghost"
        aria-label={`${t('common.delete')}: ${label}`}
        onClick={onRemove}
      >
        ✕
      </button>
    </fieldset>
  );
}

/** The ordered transforms of one field mapping. */
export function TransformEditor({
  value,
  onChange,
  fieldLabel,
}: {
  value: TransformInput[];
  onChange: (t: TransformInput[]) => void;
  fieldLabel: string;
}) {
  const { t } = useI18n();
  return (
    <div className="transforms">
      {value.map((tr, i) => (
        <TransformRow
          // biome-ignore lint/suspicious/noArrayIndexKey: transforms have no identity but their place
          key={i}
          label={`${fieldLabel} · ${t('map.transforms')} ${i + 1}`}
          value={tr}
          onChange={(next) => onChange(value.map((x, j) => (j === i ? next : x)))}
          onRemove={() => onChange(value.filter((_, j) => j !== i))}
        />
      ))}
      <button
        type="button"
        className="btn btn-small btn-ghost"
        onClick={() => onChange([...value, { type: 'trim' }])}
      >
        + {t('map.addTransform')}
      </button>
    </div>
  );
}
