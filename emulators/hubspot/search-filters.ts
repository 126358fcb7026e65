/**
 * Evaluation of CRM search filters and sorts against stored records. Text compares ignore case, as
 * HubSpot's search does; numbers compare as numbers; dates accept epoch milliseconds or ISO strings.
 */
import { validationError } from './errors.ts';
import type { PropertyDefinition } from './property-registry.ts';
import type { SearchFilter } from './request-schemas.ts';
import type { StoredObject } from './store.ts';

type Kind = 'number' | 'date' | 'text';

function kindOf(def: PropertyDefinition | undefined): Kind {
  if (def?.type === 'number') return 'number';
  if (def?.type === 'date' || def?.type === 'datetime') return 'date';
  return 'text';
}

function toComparable(kind: Kind, raw: string): number | string {
  if (kind === 'number') return Number(raw);
  if (kind === 'date') return /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return raw.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

function containsToken(stored: string, token: string): boolean {
  const value = stored.toLowerCase();
  const wanted = token.toLowerCase();
  const candidates = [value, ...value.split(/\s+/), ...value.split(/[^a-z0-9]+/)].filter((t) => t.length > 0);
  if (wanted.includes('*')) {
    const re = globToRegExp(wanted);
    return candidates.some((t) => re.test(t));
  }
  return candidates.includes(wanted);
}

function str(value: string | number | boolean | undefined): string {
  return value === undefined ? '' : String(value);
}

/** Whether one record passes one filter. */
export function matchesFilter(
  record: StoredObject,
  filter: SearchFilter,
  def: PropertyDefinition | undefined,
): boolean {
  const stored = record.properties[filter.propertyName];
  const kind = kindOf(def);
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return stored !== undefined;
    case 'NOT_HAS_PROPERTY':
      return stored === undefined;
    case 'NEQ':
      return (
        stored === undefined ||
        compare(toComparable(kind, stored), toComparable(kind, str(filter.value))) !== 0
      );
    case 'NOT_IN':
      return (
        stored === undefined ||
        !(filter.values ?? []).some(
          (v) => compare(toComparable(kind, stored), toComparable(kind, str(v))) === 0,
        )
      );
    case 'NOT_CONTAINS_TOKEN':
      return stored === undefined || !containsToken(stored, str(filter.value));
    default:
      break;
  }
  if (stored === undefined) return false;
  const left = toComparable(kind, stored);
  const right = toComparable(kind, str(filter.value));
  switch (filter.operator) {
    case 'EQ':
      return compare(left, right) === 0;
    case 'LT':
      return compare(left, right) < 0;
    case 'LTE':
      return compare(left, right) <= 0;
    case 'GT':
      return compare(left, right) > 0;
    case 'GTE':
      return compare(left, right) >= 0;
    case 'BETWEEN':
      return compare(left, right) >= 0 && compare(left, toComparable(kind, str(filter.highValue))) <= 0;
    case 'IN':
      return (filter.values ?? []).some((v) => compare(left, toComparable(kind, str(v))) === 0);
    case 'CONTAINS_TOKEN':
      return containsToken(stored, str(filter.value));
    default:
      throw validationError(`Unsupported operator ${filter.operator}`);
  }
}

/** A comparator for the requested sorts; records without a value go last, ties keep id order. */
export function sortComparator(
  sorts: readonly { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[],
  defOf: (name: string) => PropertyDefinition | undefined,
): (a: StoredObject, b: StoredObject) => number {
  const kinds = sorts.map((s) => kindOf(defOf(s.propertyName)));
  // Sorting compares each record many times: parse its sort values once.
  const keys = new Map<StoredObject, (number | string | undefined)[]>();
  const keyOf = (r: StoredObject) => {
    let k = keys.get(r);
    if (!k) {
      k = sorts.map((s, i) => {
        const v = r.properties[s.propertyName];
        return v === undefined ? undefined : toComparable(kinds[i] as Kind, v);
      });
      keys.set(r, k);
    }
    return k;
  };
  return (a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    for (const [i, sort] of sorts.entries()) {
      const va = ka[i];
      const vb = kb[i];
      if (va === undefined || vb === undefined) {
        if (va !== vb) return va === undefined ? 1 : -1;
        continue;
      }
      const c = compare(va, vb);
      if (c !== 0) return sort.direction === 'DESCENDING' ? -c : c;
    }
    return Number(a.id) - Number(b.id);
  };
}
