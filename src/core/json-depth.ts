/** Deepest nesting of objects and arrays any JSON value Junction accepts may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `value` nests objects and arrays at most `max` levels deep. Iterative, so a hostile value
 * 10 000 levels deep is measured without overflowing the stack (JSON.stringify of it would).
 */
export function nestsAtMost(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}
