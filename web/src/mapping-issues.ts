import type { MappingIssue } from '../../src/core/mapping-issues.ts';
import { en, type TextKey } from './i18n/en.ts';
import type { Issue } from './types.ts';

export type { MappingIssue };

const isTextKey = (key: string): key is TextKey => Object.hasOwn(en, key);

/** An issue as an answer may carry it: the mapping check's (with code and parameters) or a plain one. */
export type AnyIssue = Issue & Partial<Pick<MappingIssue, 'code' | 'params'>>;

/** The issue's place in the mapping, without the request's prefix (`body.`, `body.mapping.`). */
export const placeOf = (i: { field: string }) => i.field.replace(/^body\.(mapping\.)?/, '');

/**
 * The issue in the dashboard's language, worded from its code and parameters (positions counted from 1);
 * an issue without a code the dashboard knows keeps the server's message.
 */
export function issueText(
  t: (key: TextKey, vars?: Record<string, string | number>) => string,
  i: AnyIssue,
): string {
  if (!i.code || !i.params) return i.message;
  const position = typeof i.params.position === 'number' ? i.params.position : i.position;
  const vars = { ...i.params, at: typeof position === 'number' ? position + 1 : '' };
  const key = `issue.${i.code}${i.code === 'unknown_source_field' && typeof position === 'number' ? '.at' : ''}`;
  return isTextKey(key) ? t(key, vars) : i.message;
}
