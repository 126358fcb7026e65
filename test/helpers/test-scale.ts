/**
 * How many cases a property or volume test tries. `npm run mutation` re-runs the core tests once per
 * mutant, so scripts/mutation.mjs sets `JUNCTION_TEST_SCALE` (a fraction) to try fewer cases there; fewer
 * cases can only let a mutant survive, never kill one that deserved to live, so the score stays honest.
 * `npm test` leaves it unset and tries the full number.
 */
export function scaled(cases: number): number {
  const scale = Number(process.env.JUNCTION_TEST_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0 || scale >= 1) return cases;
  return Math.max(10, Math.round(cases * scale));
}
