import type { Logger } from 'pino';
import type { Connector, WriteOp } from '../connectors/connector.ts';
import { createConnector } from '../connectors/registry.ts';
import { NotFoundError } from '../core/errors.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { SyncLink } from '../core/types.ts';
import { everyWorkspaceImports } from '../import/workspace.ts';
import { limitersFor } from '../runs/limiters.ts';
import type { Store } from '../store/store.ts';
import { assignmentsOf } from './assignments.ts';
import type { ConnectorFactory } from './open-mapping.ts';

/** A system reported that a record (a person) is gone and must be removed wherever Junction copied it. */
export interface DeletionRequest {
  connectionId: string;
  object: string;
  externalId: string;
  /** A GDPR deletion ("privacy deletion"), not just an ordinary delete. */
  privacy: boolean;
  eventId?: string;
}

/** What was done to one linked record; no keys or ids, so the audit holds no personal data. */
export interface DeletionAction {
  connectionId: string;
  object: string;
  role: 'source' | 'target';
  action: 'deleted' | 'anonymised' | 'unlinked' | 'skipped' | 'failed';
  /** Why it failed or was skipped; `already_gone` when the record was not there any more (done all the same). */
  code?: string;
}

/** A thrown error's stable code, else `fallback`. */
const codeOf = (err: unknown, fallback: string) => (err as { code?: string }).code ?? fallback;
/** The system answered that the record does not exist (HTTP 404): for a deletion or erasure that is done. */
const isGone = (err: unknown) => (err as { status?: number }).status === 404;

export interface DeletionOutcome {
  auditId: string;
  actions: DeletionAction[];
}

interface Node {
  connectionId: string;
  object: string;
  key: string;
}
interface Reached extends Node {
  role: 'source' | 'target';
  mappings: MappingDefinition[];
  /** A target record other people's records are synced into too (a shared e-mail): left as it is. */
  shared?: boolean;
}

/** What an erasure or a privacy deletion is handed. */
export interface ErasureOptions {
  log: Logger;
  connectorFactory?: ConnectorFactory;
  signal?: AbortSignal;
  /** Who asked (a username, `cli`, `api`); audited. */
  by?: string;
  /** The folder of uploaded imports: an upload an erased person's run items came from is removed too. */
  importsDir?: string;
  /** Called after each record was handled (tests crash the process here). */
  afterRecord?: () => void | Promise<void>;
}

const nodeId = (n: Node) => `${n.connectionId}\u0000${n.object}\u0000${n.key}`;
const top = (path: string) => path.split('.')[0] as string;

function mappingOf(mappings: MappingDefinition[], l: SyncLink): MappingDefinition | undefined {
  // Assignments link their own objects: each is a mapping of its own here.
  return mappings
    .flatMap(assignmentsOf)
    .find(
      (m) =>
        m.source.connectionId === l.sourceConnectionId &&
        m.source.object === l.sourceObject &&
        m.target.connectionId === l.targetConnectionId &&
        m.target.object === l.targetObject,
    );
}

/** The distinct source records of live links into one target record. */
function sourcesOf(links: SyncLink[]): Set<string> {
  return new Set(
    links
      .filter((l) => l.status !== 'deleted' && l.status !== 'removed' && l.status !== 'target_deleted')
      .map((l) => `${l.sourceConnectionId}\u0000${l.sourceObject}\u0000${l.sourceKey}`),
  );
}

/**
 * The records of one person: the start record and the records linked to it, through sync links in either
 * direction, with the links walked. A target record that other source records are synced into as well
 * (two business rows sharing an e-mail, two bookings on one enrolment) belongs to more than this person:
 * it is reached as `shared` and the walk does not go on through it, so no one else is ever erased.
 */
async function linkedRecords(
  store: Store,
  start: Node,
  mappings: MappingDefinition[],
  o: { includeStart?: boolean; walkDeleted?: boolean } = {},
) {
  const reached = new Map<string, Reached>();
  const links = new Map<string, SyncLink>();
  const queue: Node[] = [start];
  const seen = new Set([nodeId(start)]);
  const reach = (n: Node, role: Reached['role'], m: MappingDefinition | undefined) => {
    const id = nodeId(n);
    const known = reached.get(id);
    if (known) {
      if (m) known.mappings.push(m);
      return;
    }
    if (id !== nodeId(start) || o.includeStart) reached.set(id, { ...n, role, mappings: m ? [m] : [] });
    if (!seen.has(id)) {
      seen.add(id);
      queue.push(n);
    }
  };
  let sharedStart = false;
  while (queue.length) {
    const n = queue.shift() as Node;
    const asTarget = await store.audit.linksToTarget(n.connectionId, n.object, n.key);
    if (sourcesOf(asTarget).size > 1) {
      const r = reached.get(nodeId(n));
      if (r) r.shared = true;
      if (nodeId(n) === nodeId(start)) sharedStart = true;
      continue;
    }
    const asSource = await store.syncLinks.forSourceRecord(n.connectionId, n.object, n.key);
    // Links a former request already removed are done with; walking them again would act twice. An
    // erasure walks them anyway: erasing is idempotent, and a second erasure finishes what failed.
    for (const l of [...asTarget, ...asSource].filter((x) => o.walkDeleted || x.status !== 'deleted')) {
      links.set(
        `${l.sourceConnectionId}\u0000${l.sourceObject}\u0000${l.sourceKey}\u0000${l.targetConnectionId}\u0000${l.targetObject}`,
        l,
      );
      const m = mappingOf(mappings, l);
      reach({ connectionId: l.sourceConnectionId, object: l.sourceObject, key: l.sourceKey }, 'source', m);
      if (l.externalId)
        reach({ connectionId: l.targetConnectionId, object: l.targetObject, key: l.externalId }, 'target', m);
    }
  }
  return { reached: [...reached.values()], links: [...links.values()], sharedStart };
}

/** Deletes or anonymises one linked record as its mappings' policy says (delete wins over anonymise). */
async function apply(connector: Connector, r: Reached): Promise<DeletionAction> {
  const base = { connectionId: r.connectionId, object: r.object, role: r.role };
  if (r.shared) return { ...base, action: 'skipped', code: 'shared_record' };
  const policy = r.mappings.some((m) => m.privacy === 'delete') ? 'delete' : 'anonymise';
  try {
    if (policy === 'delete') {
      const op: WriteOp = { kind: 'delete', ref: r.key, externalId: r.key, privacy: true };
      const [res] = await connector.write(r.object, [op]);
      if (res && !res.ok && res.gone) return { ...base, action: 'deleted', code: 'already_gone' };
      return res?.ok
        ? { ...base, action: 'deleted' }
        : { ...base, action: 'failed', code: res && !res.ok ? res.code : 'no_result' };
    }
    if (r.role === 'target') {
      // Every field the mappings put there is blanked.
      const properties = Object.fromEntries(
        r.mappings.flatMap((m) => m.fields.map((f) => [top(f.target), null])),
      );
      const [res] = await connector.write(r.object, [
        { kind: 'update', ref: r.key, externalId: r.key, properties },
      ]);
      // Nothing left to anonymise: someone deleted it meanwhile.
      if (res && !res.ok && res.gone) return { ...base, action: 'anonymised', code: 'already_gone' };
      return res?.ok
        ? { ...base, action: 'anonymised' }
        : { ...base, action: 'failed', code: res && !res.ok ? res.code : 'no_result' };
    }
    // A source record: blank every field the mappings read, keeping its key (the link must still find it).
    const m = r.mappings[0];
    if (!m || !connector.writeMarks) return { ...base, action: 'failed', code: 'anonymise_unsupported' };
    const keep = new Set([m.source.key, m.source.modifiedField]);
    const fields = r.mappings.flatMap((x) => x.fields.flatMap((f) => (f.from ? [top(f.from)] : [])));
    const values = Object.fromEntries(fields.filter((f) => !keep.has(f)).map((f) => [f, null]));
    await connector.writeMarks(r.object, m.source.key, [{ key: r.key, values }]);
    return { ...base, action: 'anonymised' };
  } catch (err) {
    if (isGone(err))
      return { ...base, action: policy === 'delete' ? 'deleted' : 'anonymised', code: 'already_gone' };
    return { ...base, action: 'failed', code: codeOf(err, 'deletion_failed') };
  }
}

/**
 * Erases or anonymises every reached record as its mappings' privacy policy says, and marks the links
 * `deleted` so no sync brings the person back; returns what was done where (no personal data).
 */
async function eraseLinked(
  store: Store,
  reached: Reached[],
  links: SyncLink[],
  remark: string,
  o: ErasureOptions,
): Promise<DeletionAction[]> {
  const make = o.connectorFactory ?? createConnector;
  const signal = o.signal ?? new AbortController().signal;
  // Per connection: its connector, or why it could not be made (deleted, unreadable secret, bad config).
  const connectors = new Map<string, Connector | { broken: string }>();
  const actions: DeletionAction[] = [];
  try {
    for (const r of reached) {
      let c = connectors.get(r.connectionId);
      if (!c) {
        try {
          c = make(await store.connections.get(r.connectionId), {
            log: o.log,
            signal,
            limiters: limitersFor(store),
          });
        } catch (err) {
          // One broken connection fails only its own records: the others are erased and all are audited.
          o.log.warn({ err, connectionId: r.connectionId }, 'an erasure could not open a connection');
          c = { broken: codeOf(err, 'connection_unavailable') };
        }
        connectors.set(r.connectionId, c);
      }
      actions.push(
        'broken' in c
          ? { connectionId: r.connectionId, object: r.object, role: r.role, action: 'failed', code: c.broken }
          : await apply(c, r),
      );
      await o.afterRecord?.();
    }
  } finally {
    await Promise.allSettled([...connectors.values()].map((c) => ('broken' in c ? undefined : c.close?.())));
  }
  const now = new Date();
  await store.syncLinks.upsert(
    links.map((l) => ({ ...l, status: 'deleted', payloadHash: null, lastSyncAt: now, remark })),
  );
  await purgeAssociations(store, reached);
  return actions;
}

/**
 * The association rows of the person's records: those their own source records own (per mapping and
 * key) and those that point at their target records as the related record (per target connection).
 */
async function purgeAssociations(store: Store, reached: Reached[]): Promise<number> {
  const mappings = await store.mappings.list();
  const own = reached.filter((r) => !r.shared);
  const owned = own
    .filter((r) => r.role === 'source')
    .flatMap((r) => r.mappings.map((m) => ({ mappingId: m.id, sourceKey: r.key })));
  const pointedAt = own
    .filter((r) => r.role === 'target')
    .flatMap((r) =>
      mappings
        .filter((m) => m.target.connectionId === r.connectionId)
        .map((m) => ({ mappingId: m.id, toId: r.key })),
    );
  return store.associations.purge({ owned, pointedAt });
}

/**
 * The run items of one person: those whose task's mapping (or one of its assignments) links the person's
 * own source record by key or their own target record by id. Keys alone collide across systems (ERP id 5,
 * HubSpot id 5), and a shared target record's items belong to other people too, so both are narrowed here.
 */
async function personItems(store: Store, reached: Reached[]) {
  const own = reached.filter((r) => !r.shared);
  const sources = new Set(own.filter((r) => r.role === 'source').map(nodeId));
  const targets = new Set(own.filter((r) => r.role === 'target').map(nodeId));
  // Nothing of the person's own (a shared record, a request already carried out): no query. Asked with
  // no keys and no ids, the store's query binds a boolean, which SQLite refuses.
  if (!own.length) return [];
  const candidates = await store.executions.itemsNaming({
    sourceKeys: [...new Set(own.filter((r) => r.role === 'source').map((r) => r.key))],
    targetIds: [...new Set(own.filter((r) => r.role === 'target').map((r) => r.key))],
  });
  const scopes = new Map<string, MappingDefinition[]>();
  const scopeOf = async (taskId: string) => {
    let found = scopes.get(taskId);
    if (!found) {
      const task = await store.tasks.get(taskId).catch(() => null);
      const mapping = task ? await store.mappings.get(task.mappingId).catch(() => null) : null;
      found = mapping ? assignmentsOf(mapping) : [];
      scopes.set(taskId, found);
    }
    return found;
  };
  const mine = [];
  for (const item of candidates) {
    const assignments = await scopeOf(item.taskId);
    const matches = assignments.some(
      (a) =>
        sources.has(
          nodeId({ connectionId: a.source.connectionId, object: a.source.object, key: item.sourceKey }),
        ) ||
        (item.targetId !== null &&
          targets.has(
            nodeId({ connectionId: a.target.connectionId, object: a.target.object, key: item.targetId }),
          )),
    );
    if (matches) mine.push(item);
  }
  return mine;
}

/** The audit subject of a deleted record: a keyed hash, so the log holds no id of a person. */
function subjectOf(store: Store, req: DeletionRequest): string {
  return store.audit.subjectOf({ connectionId: req.connectionId, object: req.object, key: req.externalId });
}

/**
 * An ordinary deletion in a target (a duplicate cleaned up in the CRM), not a privacy deletion: the
 * business system is the source of truth, so nothing is erased anywhere. The links to the deleted record
 * are cut (`target_deleted`, with when and where in the remark); the next run leaves the record alone, or
 * writes it again where the mapping says `targetDeletes: recreate`. A deletion of a record that is a
 * *source* somewhere is the mapping's business (`deletes`), found by its next full run.
 */
async function unlinkDeletedTarget(store: Store, req: DeletionRequest): Promise<DeletionOutcome> {
  const links = (await store.audit.linksToTarget(req.connectionId, req.object, req.externalId)).filter(
    (l) => l.status !== 'deleted' && l.status !== 'removed',
  );
  const now = new Date();
  const connection = await store.connections.get(req.connectionId);
  await store.syncLinks.upsert(
    links.map((l) => ({
      ...l,
      status: 'target_deleted',
      payloadHash: null,
      lastSyncAt: now,
      remark: `deleted in ${connection.name} (${req.object}) on ${now.toISOString()}`,
    })),
  );
  const actions: DeletionAction[] = links.map((l) => ({
    connectionId: l.sourceConnectionId,
    object: l.sourceObject,
    role: 'source',
    action: 'unlinked',
  }));
  const entry = await store.audit.record({
    kind: 'deletion',
    connectionId: req.connectionId,
    subject: subjectOf(store, req),
    details: { object: req.object, eventId: req.eventId ?? null, linked: links.length, actions },
  });
  return { auditId: entry.id, actions };
}

/**
 * Handles a privacy deletion request: finds every record linked to the deleted one (the source it came from and
 * every other target that source went to, or the targets it was synced into), deletes or anonymises each
 * per its mapping's `privacy` policy, marks the links `deleted` so no sync brings the person back, and
 * writes an audit entry that names systems and actions but no personal data.
 */
export async function handleDeletionRequest(
  store: Store,
  req: DeletionRequest,
  o: ErasureOptions,
): Promise<DeletionOutcome> {
  if (!req.privacy) return unlinkDeletedTarget(store, req);
  const mappings = await store.mappings.list();
  const start = { connectionId: req.connectionId, object: req.object, key: req.externalId };
  const { reached, links, sharedStart } = await linkedRecords(store, start, mappings);
  const actions = await eraseLinked(store, reached, links, 'removed by a deletion request', o);
  // The person's payloads leave the run history at once, as with an erasure started in Junction, and so
  // do the uploaded imports their records came from.
  const items = await personItems(store, reached);
  const itemsPurged = await store.executions.purgeItems(items.map((i) => i.id));
  const uploadsRemoved = o.importsDir
    ? await removeUploadsOf(o.importsDir, new Set(items.map((i) => i.executionId)))
    : 0;
  const entry = await store.audit.record({
    kind: 'privacy_deletion',
    connectionId: req.connectionId,
    subject: subjectOf(store, req),
    details: {
      object: req.object,
      eventId: req.eventId ?? null,
      linked: reached.length,
      actions,
      itemsPurged,
      uploadsRemoved,
      // Several people were synced into the deleted record: none of them is erased without a person's say.
      ...(sharedStart ? { shared: true } : {}),
    },
  });
  if (sharedStart)
    o.log.warn(
      { auditId: entry.id },
      'a privacy deletion names a record several people share; erase each person by hand',
    );
  if (actions.some((a) => a.action === 'failed'))
    o.log.warn({ auditId: entry.id, actions }, 'a deletion request was not carried out everywhere');
  return { auditId: entry.id, actions };
}

/** An erasure request started in Junction (API, dashboard, CLI): the right to be forgotten. */
export interface ErasureRequest {
  connectionId: string;
  object: string;
  /** The record's key in that system (a business record's key, or a target record's id). */
  key: string;
}

export interface ErasureOutcome extends DeletionOutcome {
  /** Every linked system erased or anonymised as its policy says; false: run it again to finish. */
  complete: boolean;
  /** Execution items whose payload and message were purged. */
  itemsPurged: number;
  /** Uploaded import files that held the person's row, removed. */
  uploadsRemoved: number;
}

/**
 * Erases a person everywhere Junction copied them: the start record and every record linked to it, each
 * deleted or anonymised per its mappings' privacy policy; the links marked `deleted` so no sync brings
 * the person back; their payloads and messages purged from the run history at once; one audit entry
 * without personal data. Idempotent: a second request finishes what failed (an outage in one system).
 */
export async function eraseRecord(
  store: Store,
  req: ErasureRequest,
  o: ErasureOptions,
): Promise<ErasureOutcome> {
  const mappings = await store.mappings.list();
  const start = { connectionId: req.connectionId, object: req.object, key: req.key };
  const { reached, links } = await linkedRecords(store, start, mappings, {
    includeStart: true,
    walkDeleted: true,
  });
  if (!links.length)
    throw new NotFoundError(`no record '${req.key}' of ${req.connectionId}/${req.object} is linked anywhere`);
  const subject = store.audit.subjectOf(req);
  // The attempt is audited before anything is touched: a crash or an outage mid-way leaves a trace.
  await store.audit.record({
    kind: 'erasure',
    connectionId: req.connectionId,
    subject,
    details: { phase: 'started', object: req.object, by: o.by ?? null, linked: reached.length },
  });
  // The person's run items are found before their links are marked: the items' tasks name the records.
  const items = await personItems(store, reached);
  const actions = await eraseLinked(store, reached, links, 'erased on request', o);
  const itemsPurged = await store.executions.purgeItems(items.map((i) => i.id));
  const uploadsRemoved = o.importsDir
    ? await removeUploadsOf(o.importsDir, new Set(items.map((i) => i.executionId)))
    : 0;
  const complete = actions.every((a) => a.action !== 'failed');
  const entry = await store.audit.record({
    kind: 'erasure',
    connectionId: req.connectionId,
    subject,
    details: {
      phase: 'finished',
      object: req.object,
      by: o.by ?? null,
      linked: reached.length,
      actions,
      complete,
      itemsPurged,
      uploadsRemoved,
    },
  });
  if (!complete)
    o.log.warn({ auditId: entry.id, actions }, 'an erasure was not carried out everywhere; run it again');
  return { auditId: entry.id, actions, complete, itemsPurged, uploadsRemoved };
}

/**
 * Removes the uploaded imports (file, record, error file) whose run wrote the erased person's records:
 * the spreadsheet holds their row. Returns how many were removed.
 */
async function removeUploadsOf(importsDir: string, executionIds: Set<string>): Promise<number> {
  if (!executionIds.size) return 0;
  let removed = 0;
  // Execution ids are the hub's, so looking through every workspace's imports takes only this person's.
  for (const folder of await everyWorkspaceImports(importsDir))
    for (const record of await folder.list()) {
      if (record.executionId && executionIds.has(record.executionId)) {
        await folder.remove(record.id);
        removed++;
      }
    }
  return removed;
}

/**
 * What Junction holds about a person (right of access): the links of the record and of every record
 * linked to it, the run items that name them, and what each linked system returns for its record now.
 */
export async function exportRecord(
  store: Store,
  req: ErasureRequest,
  o: ErasureOptions,
): Promise<Record<string, unknown>> {
  const mappings = await store.mappings.list();
  const start = { connectionId: req.connectionId, object: req.object, key: req.key };
  const { reached, links } = await linkedRecords(store, start, mappings, { includeStart: true });
  if (!links.length)
    throw new NotFoundError(`no record '${req.key}' of ${req.connectionId}/${req.object} is linked anywhere`);
  const make = o.connectorFactory ?? createConnector;
  const signal = o.signal ?? new AbortController().signal;
  const systems: Record<string, unknown>[] = [];
  for (const r of reached) {
    if (r.shared) {
      // Another person's record too: its contents are not this person's to see.
      systems.push({ connectionId: r.connectionId, object: r.object, role: r.role, shared: true });
      continue;
    }
    const connector = make(await store.connections.get(r.connectionId), {
      log: o.log,
      signal,
      limiters: limitersFor(store),
    });
    try {
      const idField = r.role === 'source' ? (r.mappings[0]?.source.key ?? 'id') : 'id';
      const hits = connector.lookup ? await connector.lookup(r.object, idField, [r.key]) : [];
      systems.push({
        connectionId: r.connectionId,
        object: r.object,
        key: r.key,
        role: r.role,
        record: hits[0]?.properties ?? null,
      });
    } catch (err) {
      systems.push({
        connectionId: r.connectionId,
        object: r.object,
        key: r.key,
        role: r.role,
        error: (err as Error).message,
      });
    } finally {
      await connector.close?.();
    }
  }
  const items = (await personItems(store, reached)).map(({ id: _id, taskId: _t, ...item }) => item);
  await store.audit.record({
    kind: 'export',
    connectionId: req.connectionId,
    subject: store.audit.subjectOf(req),
    details: { object: req.object, by: o.by ?? null, linked: reached.length },
  });
  return { exportedAt: new Date().toISOString(), subject: start, links, systems, runItems: items };
}
