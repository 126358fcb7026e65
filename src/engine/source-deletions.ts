import type { WriteOp, WriteResult } from '../connectors/connector.ts';
import { AuthenticationError, CancelledError } from '../core/errors.ts';
import type { SyncLink, Task } from '../core/types.ts';
import { withStoreRetry } from '../store/transient.ts';
import { itemOf } from './plan.ts';
import type { PageOutcome, ProcessContext } from './process-records.ts';

/** The mass-deletion guard's default: more than 10 % of the links, and always allowed up to 20 records. */
export const DEFAULT_DELETION_GUARD = Object.freeze({ percent: 10, atLeast: 20 });

/** Why a run deleted nothing although records were gone from the source. */
export interface DeletionGuardHit {
  code: 'mass_deletion_guard';
  message: string;
  /** Records the run would have deleted, the links it holds, and the most it may delete unconfirmed. */
  details: { wouldDelete: number; linked: number; limit: number };
}

/** How many deletions a run may make without an admin's confirmation. */
export function deletionLimit(task: Pick<Task, 'deletionGuard'>, linked: number): number {
  const g = task.deletionGuard ?? DEFAULT_DELETION_GUARD;
  return Math.max(g.atLeast, Math.floor((linked * g.percent) / 100));
}

/**
 * The source keys, among those the run holds links for but did not read, whose record is gone from the
 * source. A record that is only filtered out is not gone: the source is asked for the candidates
 * without the filter (`readByKeys`); a source that cannot be asked is trusted only when the run read it
 * unfiltered. Returns null when deletions cannot be told apart safely.
 */
async function goneFromSource(
  ctx: ProcessContext,
  candidates: SyncLink[],
  readUnfiltered: boolean,
): Promise<SyncLink[] | null> {
  if (!candidates.length) return [];
  const { source, mapping } = ctx;
  if (!source.readByKeys) return readUnfiltered ? candidates : null;
  const present = new Set<string>();
  for (let i = 0; i < candidates.length; i += 500) {
    const found = await source.readByKeys(
      mapping.source.object,
      mapping.source.key,
      candidates.slice(i, i + 500).map((l) => l.sourceKey),
    );
    for (const r of found) present.add(r.key);
  }
  return candidates.filter((l) => !present.has(l.sourceKey));
}

/**
 * After a complete full read: carries the deletions of source records to the target as the mapping says
 * (`propagate` deletes, `archive` deactivates), page by page through the run's commit, counted as
 * `deleted` and itemised. More deletions than the task's guard allows are not made unless confirmed:
 * the run then deletes nothing and reports the guard instead (an empty or half-read source must never
 * empty the target). A dry run plans the same deletions without making them.
 */
export async function propagateSourceDeletions(
  ctx: ProcessContext,
  o: {
    task: Task;
    seen: Set<string>;
    readUnfiltered: boolean;
    confirmed: boolean;
    commit: (outcome: PageOutcome) => Promise<void>;
  },
): Promise<DeletionGuardHit | null> {
  const { mapping, target, counts } = ctx;
  if (mapping.deletes === 'ignore') return null;
  const live = await withStoreRetry(() => ctx.store.syncLinks.live(ctx.scope));
  const gone = await goneFromSource(
    ctx,
    live.filter((l) => !o.seen.has(l.sourceKey)),
    o.readUnfiltered,
  );
  if (gone === null) {
    ctx.log.warn(
      { mapping: mapping.id },
      'deletions are not carried over: the source was read through a filter and cannot be asked for single records',
    );
    return null;
  }
  if (!gone.length) return null;
  // A target record that a record still in the source is synced into too (two rows sharing an e-mail,
  // two bookings on one enrolment) stays: only the gone record's link is cut.
  const goneKeys = new Set(gone.map((l) => l.sourceKey));
  const stillUsed = new Set(live.filter((l) => !goneKeys.has(l.sourceKey)).map((l) => l.externalId));
  const shared = gone.filter((l) => stillUsed.has(l.externalId));
  const toDelete = gone.filter((l) => !stillUsed.has(l.externalId));
  const limit = deletionLimit(o.task, live.length);
  // An empty read, every linked record gone, or more than half of them: never without a person's say,
  // whatever the limit — that is what a broken or half-read source looks like.
  const suspicious =
    o.seen.size === 0 || toDelete.length === live.length || toDelete.length > live.length / 2;
  if (toDelete.length && (toDelete.length > limit || suspicious) && !o.confirmed) {
    const why =
      o.seen.size === 0
        ? 'the source returned no records'
        : `more than the ${limit} a run deletes unconfirmed`;
    return {
      code: 'mass_deletion_guard',
      message: `${toDelete.length} of ${live.length} linked records are gone from the source (${why}); nothing was deleted. Check the source, then confirm the deletions (dashboard: this run's page, API: POST /api/tasks/${o.task.id}/run with confirmDeletes, CLI: junction run ${o.task.id} --confirm-deletes)`,
      details: { wouldDelete: toDelete.length, linked: live.length, limit },
    };
  }
  if (shared.length) {
    const now = new Date();
    await o.commit({
      items: [],
      links: shared.map((l) => ({
        ...l,
        status: 'removed',
        payloadHash: null,
        lastSyncAt: now,
        remark: 'source record deleted; its target record stays, another source record still uses it',
      })),
    });
  }
  const kind = mapping.deletes === 'archive' ? 'archive' : 'delete';
  const verb = kind === 'archive' ? 'archived' : 'deleted';
  for (let i = 0; i < toDelete.length; i += target.limits.batchSize) {
    const batch = toDelete.slice(i, i + target.limits.batchSize);
    const ops: WriteOp[] = batch.map((l) => ({ kind, ref: l.sourceKey, externalId: l.externalId as string }));
    let results: WriteResult[];
    if (ctx.dryRun) {
      results = ops.map((op) => ({
        ref: op.ref,
        ok: true,
        externalId: (op as { externalId: string }).externalId,
        created: false,
      }));
    } else {
      await ctx.fence?.();
      try {
        results = await target.write(mapping.target.object, ops);
      } catch (err) {
        if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
        const e = err as Error & { code?: string };
        results = ops.map((op) => ({
          ref: op.ref,
          ok: false,
          code: e.code ?? 'delete_failed',
          message: e.message,
          retryable: true,
        }));
      }
    }
    if (ctx.signal?.aborted) throw new CancelledError('the run was cancelled', { cause: ctx.signal.reason });
    const byRef = new Map(results.map((r) => [r.ref, r]));
    const now = new Date();
    const outcome: PageOutcome = { items: [], links: [] };
    for (const link of batch) {
      const r = byRef.get(link.sourceKey);
      const payload = { externalId: link.externalId, [kind]: true };
      if (r?.ok) {
        counts.deleted++;
        outcome.items.push(
          itemOf(link.sourceKey, 'delete', {
            targetId: link.externalId,
            payload,
            message: `the source record was deleted; ${verb} in the target`,
          }),
        );
        outcome.links.push({
          ...link,
          status: 'removed',
          payloadHash: null,
          lastSyncAt: now,
          lastSuccessAt: now,
          remark: `source record deleted; ${verb} in the target on ${now.toISOString()}`,
        });
      } else {
        counts.failed++;
        const code = r && !r.ok ? r.code : 'no_result';
        const message = r && !r.ok ? r.message : 'the target returned no result for this record';
        outcome.items.push(
          itemOf(link.sourceKey, 'fail', { targetId: link.externalId, payload, code, message }),
        );
        // The link stays live: the next full run tries the deletion again.
        outcome.links.push({ ...link, lastSyncAt: now, remark: `${kind} failed: ${code}: ${message}` });
      }
    }
    await o.commit(outcome);
  }
  return null;
}
