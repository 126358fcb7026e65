/**
 * How a form's text becomes a saved value without changing what the user did not touch: the helpers the
 * mapping editor's drafts share (web/src/mapping-draft.ts, web/src/mapping-draft-parts.ts).
 */

/**
 * The value to save for a text the form shows: the opened value when the text is what it showed (so an
 * absent key stays absent and '' stays ''), else the new text, or absent when emptied.
 */
export function keep<T extends string>(base: T | undefined, text: string, trim = true): T | undefined {
  if (text === (base ?? '')) return base;
  const t = trim ? text.trim() : text;
  return (t.trim() ? t : undefined) as T | undefined;
}

/** A choice with a default: the opened value when unchanged (absent stays absent), else the choice. */
export function choose<T extends string>(
  base: T | undefined,
  chosen: T | '',
  fallback: T | '',
): T | undefined {
  if (chosen === (base ?? fallback)) return base;
  return chosen === '' ? undefined : chosen;
}

/** Drops keys whose value is undefined, so an absent option is absent in the saved JSON too. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Whether two JSON values are the same. */
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
