import { prepareConnection, unreadableUrlPasswordIssues } from '../connectors/connection-secret.ts';
import { ValidationError } from '../core/errors.ts';
import { formatMappingIssue, type MappingIssue } from '../core/mapping-issues.ts';
import type { Connection } from '../core/types.ts';
import { DEFAULT_WORKSPACE } from '../core/workspaces.ts';
import { checkMapping } from '../engine/check-mapping.ts';
import type { ConnectorFactory } from '../engine/open-mapping.ts';
import { describeConnections } from '../engine/validate-mapping.ts';
import { limitersFor } from '../runs/limiters.ts';
import type { Store } from '../store/store.ts';
import type { ConfigFile } from './config-file.ts';

/** What `apply` changed, for the CLI to print. */
export interface ApplySummary {
  connections: string[];
  mappings: string[];
  tasks: string[];
  /** What the mappings' check found worth knowing that does not refuse them (read-only properties…). */
  warnings: (MappingIssue & { mapping: string })[];
}

/**
 * Checks cross-references and every mapping against its systems (as the API's save does), then saves
 * everything (create or replace by id). Nothing is saved when anything is invalid; each problem names
 * its mapping and place (`mapping 'x': fields.2.from: unknown field 'emial' of people`).
 */
export async function applyConfig(
  store: Store,
  config: ConfigFile,
  o: {
    connectorFactory?: ConnectorFactory;
    /**
     * The store's workspace is new: it is made (named after its id) once every check has passed, so a file
     * refused (an invalid mapping, an id another workspace holds) leaves no empty workspace behind.
     */
    createWorkspace?: boolean;
  } = {},
): Promise<ApplySummary> {
  const mappingIds = new Set([
    ...config.mappings.map((m) => m.id),
    ...(await store.mappings.list()).map((m) => m.id),
  ]);
  const problems: string[] = [];
  const issues: (MappingIssue & { mapping: string })[] = [];
  const warnings: (MappingIssue & { mapping: string })[] = [];
  const stored = await store.connections.list();
  const connectionOf = async (id: string): Promise<Connection | undefined> => {
    const c = config.connections.find((x) => x.id === id);
    // Described with the files of the workspace it is applied to (unscoped: the default one, where it goes).
    const workspaceId = store.workspaceId ?? DEFAULT_WORKSPACE;
    if (c)
      return {
        id: c.id,
        name: c.name ?? c.id,
        system: c.system,
        config: c.config,
        secret: c.secret,
        workspaceId,
      };
    return stored.some((x) => x.id === id) ? store.connections.get(id) : undefined;
  };
  // Each system described once for the whole file, within its connection's budget.
  const describe = describeConnections(connectionOf, o.connectorFactory, limitersFor(store));
  for (const c of config.connections)
    for (const i of unreadableUrlPasswordIssues(c.config))
      problems.push(`connection '${c.id}': ${i.field}: ${i.message}`);
  for (const m of config.mappings) {
    // The same check as the API's save: fields, properties, types, transforms, filters, match key.
    const check = await checkMapping(m, describe);
    for (const i of check.errors) {
      issues.push({ mapping: m.id, ...i });
      problems.push(`mapping '${m.id}': ${formatMappingIssue(i)}`);
    }
    for (const w of check.warnings) warnings.push({ mapping: m.id, ...w });
  }
  for (const t of config.tasks)
    if (!mappingIds.has(t.mapping)) problems.push(`task '${t.id}': mapping '${t.mapping}' does not exist`);
  if (problems.length)
    throw new ValidationError(problems.join('; '), { details: { problems, issues, warnings } });
  // Every id is checked before anything is saved: one taken by another workspace refuses the whole file.
  await store.connections.refuseTaken(config.connections.map((c) => c.id));
  await store.mappings.refuseTaken(config.mappings.map((m) => m.id));
  await store.tasks.refuseTaken(config.tasks.map((t) => t.id));
  if (o.createWorkspace && store.workspaceId)
    await store.workspaces.save({ id: store.workspaceId, name: store.workspaceId });

  for (const c of config.connections) {
    // The file's secret is the whole secret, bound to the file's destination; URL passwords move into it.
    await store.connections.save(
      prepareConnection(
        {
          id: c.id,
          name: c.name ?? c.id,
          system: c.system,
          config: c.config,
          secret: c.secret,
          replace: true,
        },
        null,
      ),
    );
  }
  for (const m of config.mappings) await store.mappings.save(m);
  // The workspace's interval range does not bind a file (core/workspaces.ts bindSchedule is the API's): apply
  // runs with the hub's database, as the instance administrator's power — it makes a new workspace, which only
  // the instance administrator may — and `--workspace` says where the objects go, not who saves them. The
  // file replaces the task whole, so a change gap left out of it is none.
  for (const { mapping, name, ...t } of config.tasks) {
    await store.tasks.save({ ...t, name: name ?? t.id, mappingId: mapping });
  }
  return {
    connections: config.connections.map((c) => c.id),
    mappings: config.mappings.map((m) => m.id),
    tasks: config.tasks.map((t) => t.id),
    warnings,
  };
}
