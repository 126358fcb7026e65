/**
 * The workspace a party (task) draws for, and the share of an outside account's budget the instance
 * administrator gave it (`WorkspaceLimits.rateShare`, percent; null: no share of its own).
 */
export interface WorkspaceShare {
  id: string;
  rateShare: number | null;
}

/** A workspace waiting for a slot of a budget, and how many of the window's slots it holds now. */
export interface Contender {
  workspace: string;
  rateShare: number | null;
  held: number;
}

/**
 * Each waiting workspace's weight: its share; workspaces without one split what the shares leave of 100 %
 * (at least 1 each, so none starves when the shares add up to all of it). Weights only count against one
 * another: whoever waits divides the whole budget in their proportion (work-conserving), so a workspace
 * alone takes all of it and two with 30 % each go half and half.
 */
export function shareWeights(contenders: readonly Contender[]): Map<string, number> {
  const shares = new Map<string, number | null>();
  for (const c of contenders) if (!shares.has(c.workspace)) shares.set(c.workspace, c.rateShare);
  const reserved = [...shares.values()].reduce<number>((sum, s) => sum + (s ?? 0), 0);
  const unshared = [...shares.values()].filter((s) => s === null).length;
  const rest = unshared ? Math.max(1, (100 - reserved) / unshared) : 0;
  return new Map([...shares].map(([w, s]) => [w, s ?? rest]));
}

/**
 * Whose turn the next free slot is (weighted round-robin over the window): the waiting workspace whose slots,
 * with this one, are fewest for its weight. So two saturating workspaces of 70 % and 30 % hold 7 and 3 of 10
 * slots, and a newcomer takes freed slots until it holds its share. Ties go to the earlier contender (callers
 * list them in round-robin order).
 */
export function workspaceTurn(contenders: readonly Contender[]): string | undefined {
  const weights = shareWeights(contenders);
  let best: { workspace: string; need: number } | undefined;
  for (const c of contenders) {
    const need = (c.held + 1) / (weights.get(c.workspace) as number);
    if (!best || need < best.need) best = { workspace: c.workspace, need };
  }
  return best?.workspace;
}
