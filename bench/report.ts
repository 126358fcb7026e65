/** One measured figure: printed as `name: value (goal)` and written to bench/results.json. */
export interface Figure {
  name: string;
  value: number;
  goal: string;
  ok: boolean;
  detail: string;
}

export function printFigure(f: Figure): void {
  console.log(`${f.name}: ${f.value} (${f.goal})${f.ok ? '' : '  ← misses its goal'}`);
  console.log(`    ${f.detail}`);
}
