import type { Logger } from 'pino';
import type {
  Connector,
  RecordMark,
  SourceRecord,
  WriteJournal,
  WriteOp,
  WriteResult,
} from '../connectors/connector.ts';
import { mapConcurrent } from '../core/concurrency.ts';
import { AuthenticationError, CancelledError, DailyLimitReachedError } from '../core/errors.ts';
import type { Expr } from '../core/expression/ast.ts';
import type { MapContext, MapResult } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { ExecutionCounts, ExecutionItem, SyncLink } from '../core/types.ts';
import type { LinkScope } from '../store/repositories/sync-links.ts';
import type { Store } from '../store/store.ts';
import { withStoreRetry } from '../store/transient.ts';
import { linkView } from './assignments.ts';
import { syncAssociations } from './associations.ts';
import { adoptExisting, readBack } from './matching.ts';
import { itemOf, planRecord, type RecordPlan } from './plan.ts';
import { planWrites } from './plan-writes.ts';
import type { RunHooks } from './run-task.ts';

export interface ProcessContext {
  /** The run's signal: once aborted, the page ends as cancelled instead of recording failures. */
  signal?: AbortSignal;
  mapping: MappingDefinition;
  source: Connector;
  target: Connector;
  filter: Expr | null;
  map: (record: Record<string, unknown>, context?: MapContext) => MapResult;
  /** What formulas read besides the record: task parameters and `job.*` (the record's `link.*` is added here). */
  expression?: Pick<MapContext, 'params' | 'job'>;
  store: Store;
  executionId: string;
  counts: ExecutionCounts;
  log: Logger;
  scope: LinkScope;
  hooks: RunHooks;
  /** Plan the writes instead of making them (dry run): no target call that changes data, no marks. */
  dryRun?: boolean;
  /** The dry run's planned creates by match value, so a later page's upsert of the same value updates. */
  planned?: Map<string, string>;
  /** Throws unless the run still holds its lease; called before every write to another system. */
  fence?: () => Promise<void>;
  /** The task's write journal (real runs only): connectors note work they wait on, a killed run's successor finds it. */
  journal?: WriteJournal;
}

export interface PageOutcome {
  items: Omit<ExecutionItem, 'executionId'>[];
  links: SyncLink[];
}

/**
 * One page of filtered source records, end to end: map, hash-diff against the links, write the changes
 * in batches, write marks back onto the source, and return what the page commit must record.
 */
export async function processRecords(ctx: ProcessContext, records: SourceRecord[]): Promise<PageOutcome> {
  const { mapping, target, counts } = ctx;
  const links = await withStoreRetry(() =>
    ctx.store.syncLinks.getMany(
      ctx.scope,
      records.map((r) => r.key),
    ),
  );
  const mapNow = new Date();
  const mapped = new Map(
    records.map((r) => [
      r.key,
      ctx.map(r.data, { ...ctx.expression, now: mapNow, link: linkView(links.get(r.key)) }),
    ]),
  );
  const adopted = await adoptExisting(mapping, target, records, mapped, links);
  const plans: RecordPlan[] = records.map((r) =>
    planRecord(mapping, r, mapped.get(r.key) as MapResult, links.get(r.key), adopted.get(r.key)),
  );
  const writes = plans.filter((p): p is Extract<RecordPlan, { kind: 'write' }> => p.kind === 'write');

  const batchSize = target.limits.batchSize;
  const batches: WriteOp[][] = [];
  for (let i = 0; i < writes.length; i += batchSize)
    batches.push(writes.slice(i, i + batchSize).map((w) => w.op));
  const results = new Map<string, WriteResult>();
  const planned = ctx.planned ?? new Map<string, string>();
  const write = ctx.dryRun
    ? (object: string, ops: WriteOp[]) =>
        planWrites(target, object, ops, planned, ctx.scope.targetConnectionId)
    : (object: string, ops: WriteOp[]) => target.write(object, ops, { journal: ctx.journal });
  if (batches.length && !ctx.dryRun) await ctx.fence?.();
  await mapConcurrent(batches, target.limits.concurrency ?? 1, async (ops) => {
    // A run cancelled or taken over mid-page starts no further batch.
    ctx.signal?.throwIfAborted();
    let answer: WriteResult[];
    try {
      answer = await write(mapping.target.object, ops);
    } catch (err) {
      // Bad credentials and a cancelled run end the run; anything else fails just this batch's records, retryably.
      if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
      const e = err as Error & { code?: string };
      answer = ops.map((op) => ({
        ref: op.ref,
        ok: false,
        code: e.code ?? 'write_failed',
        message: e.message,
        retryable: true,
      }));
    }
    for (const r of answer) results.set(r.ref, r);
  });
  // Connectors turn errors into per-record failures, a cancellation too: the run must end as cancelled, not
  // record those failures (the page is not committed, so the next run does it again).
  if (ctx.signal?.aborted) throw new CancelledError('the run was cancelled', { cause: ctx.signal.reason });
  // The target's day is nearly spent (its limiter stopped calling): the run ends with that code instead of
  // failing every further record one by one; the page is not committed, so the next run does it again.
  const stopped = [...results.values()].find((r) => !r.ok && r.code === 'daily_limit_reached');
  if (stopped && !stopped.ok) throw new DailyLimitReachedError(stopped.message);
  await ctx.hooks.afterWrite?.();
  const readBackValues = ctx.dryRun
    ? new Map<string, unknown>()
    : await readBack(mapping, target, [...results.values()]);

  const now = new Date();
  const items: PageOutcome['items'] = [];
  const newLinks: SyncLink[] = [];
  const marks: RecordMark[] = [];
  const wb = mapping.writeBack;
  const mark = (key: string, externalId: string | null, ok: boolean, remark: string | null) => {
    const values: Record<string, unknown> =
      mapping.readBack?.writeTo && readBackValues.has(key)
        ? { [mapping.readBack.writeTo]: readBackValues.get(key) }
        : {};
    if (!wb) {
      if (Object.keys(values).length) marks.push({ key, values });
      return;
    }
    if (wb.externalId && externalId) values[wb.externalId] = externalId;
    if (wb.lastSync) values[wb.lastSync] = now;
    if (wb.lastSuccess && ok) values[wb.lastSuccess] = now;
    if (wb.status) values[wb.status] = ok ? 'ok' : 'failed';
    if (wb.remark) values[wb.remark] = remark;
    marks.push({ key, values });
  };
  const linkOf = (key: string, prior: SyncLink | undefined, patch: Partial<SyncLink>): SyncLink => ({
    ...ctx.scope,
    sourceKey: key,
    externalId: prior?.externalId ?? null,
    lastSyncAt: now,
    lastSuccessAt: prior?.lastSuccessAt ?? null,
    status: 'ok',
    remark: null,
    payloadHash: prior?.payloadHash ?? null,
    ...patch,
  });

  for (const plan of plans) {
    const key = plan.record.key;
    const prior = links.get(key);
    if (plan.kind === 'unchanged') {
      counts.unchanged++;
      continue;
    }
    if (plan.kind === 'fail') {
      counts.failed++;
      items.push(
        itemOf(key, 'fail', {
          code: plan.code,
          message: plan.message,
          payload: plan.payload,
          targetId: prior?.externalId ?? null,
        }),
      );
      newLinks.push(
        linkOf(key, prior, { status: 'failed', remark: `${plan.code}: ${plan.message}`, payloadHash: null }),
      );
      mark(key, prior?.externalId ?? null, false, plan.message);
      continue;
    }
    const r = results.get(key);
    if (!r?.ok) {
      counts.failed++;
      const code = r && !r.ok ? r.code : 'no_result';
      const message = r && !r.ok ? r.message : 'the target returned no result for this record';
      const status = !r || r.retryable ? 'retry' : 'failed';
      items.push(
        itemOf(key, 'fail', { code, message, payload: plan.payload, targetId: prior?.externalId ?? null }),
      );
      newLinks.push(linkOf(key, prior, { status, remark: `${code}: ${message}`, payloadHash: null }));
      mark(key, prior?.externalId ?? null, false, message);
      continue;
    }
    const action = r.created ? 'create' : 'update';
    counts[r.created ? 'created' : 'updated']++;
    const adoptedBy = adopted.has(key) && !prior?.externalId ? mapping.initialMatching?.property : undefined;
    const message = adoptedBy ? `adopted the existing target record found by ${adoptedBy}` : null;
    items.push(itemOf(key, action, { targetId: r.externalId, payload: plan.payload, message }));
    const number = readBackValues.get(key);
    newLinks.push(
      linkOf(key, prior, {
        externalId: r.externalId,
        lastSuccessAt: now,
        status: 'ok',
        payloadHash: plan.hash,
        ...(number === undefined || number === null ? {} : { externalNumber: String(number) }),
      }),
    );
    mark(key, r.externalId, true, null);
  }

  // A mark with nothing to write (write-back of an id a failed record never got) is no statement at all.
  const toWrite = marks.filter((m) => Object.keys(m.values).length > 0);
  if (ctx.dryRun) return { items, links: newLinks };
  if (toWrite.length && ctx.source.writeMarks) {
    await ctx.fence?.();
    await ctx.source.writeMarks(mapping.source.object, mapping.source.key, toWrite);
  }
  await ctx.hooks.afterMarks?.();
  await ctx.fence?.();
  await syncAssociations(ctx, records, [...links.values(), ...newLinks]);
  return { items, links: newLinks };
}
