import type { TextKey } from '../i18n/index.tsx';
import { type AnyIssue, issueText, placeOf } from '../mapping-issues.ts';
import type { FieldIssues } from './mapping-fields.tsx';

type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

// Places the form shows an issue at; issues elsewhere (an assignment's write-back…) are listed at Save.
const PLACED = new Set([
  'name',
  'id',
  'source.connectionId',
  'source.object',
  'source.key',
  'source.modifiedField',
  'target.connectionId',
  'target.object',
  'matchKey.target',
  'matchKey.source',
  'filter',
  'deletes',
  'targetDeletes',
  'privacy',
  'sync',
  'identifier',
  'writeBack.externalId',
  'writeBack.lastSync',
  'writeBack.lastSuccess',
  'writeBack.status',
  'writeBack.remark',
  'readBack.property',
  'readBack.idProperty',
  'readBack.writeTo',
  'initialMatching.property',
  'initialMatching.source',
  'associations',
  'assignments',
]);
const FIELD_PLACE = /^(?:assignments\.\d+\.)?fields(?:\.\d+(?:\..*)?)?$/;
const ASSOCIATION_PLACE = /^associations\.\d+\.(object|from|mapping)$/;
/** What the form shows of an assignment (`assignments.2.filter`). */
const ASSIGNMENT_PLACE =
  /^assignments\.\d+(?:\.(name|source\.object|source\.key|target\.object|matchKey\.target|filter|sync|identifier))?$/;

/** Whether the form shows an issue at this place (else it is listed beside Save). */
export const isPlaced = (place: string) =>
  PLACED.has(place) ||
  FIELD_PLACE.test(place) ||
  ASSOCIATION_PLACE.test(place) ||
  ASSIGNMENT_PLACE.test(place);

const INPUTS = ['from', 'value', 'template', 'formula'];

/**
 * Where the issues of the field rows under `prefix` (`''` for the mapping's own, `assignments.0.` for an
 * assignment's) show: at the target, at the value's input, or under the row (transforms…).
 */
export function fieldIssuesAt(issues: readonly AnyIssue[], t: Translate, prefix: string): FieldIssues {
  const head = `${prefix}fields.`;
  const split = (i: AnyIssue) => {
    const place = placeOf(i);
    if (!place.startsWith(head)) return null;
    const [row, ...rest] = place.slice(head.length).split('.');
    return { row, part: rest.join('.') };
  };
  return (row) => {
    const mine = issues.flatMap((i) => {
      const at = split(i);
      return at && at.row === String(row) ? [{ i, part: at.part }] : [];
    });
    const words = (list: typeof mine) => list.map(({ i }) => issueText(t, i)).join(' ') || undefined;
    return {
      target: words(mine.filter((m) => m.part === 'target')),
      input: words(mine.filter((m) => INPUTS.includes(m.part))),
      row: mine
        .filter((m) => m.part !== 'target' && !INPUTS.includes(m.part))
        .map(({ i, part }) => `${part || t('map.targetField')}: ${issueText(t, i)}`),
    };
  };
}
