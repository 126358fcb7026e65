import { prepareConnection } from '../connectors/connection-secret.ts';
import { ValidationError } from '../core/errors.ts';
import { prepareExpression } from '../core/expression/index.ts';
import { checkMappingTypes, describeSourceForCheck } from '../engine/check-mapping.ts';
import type { ConnectorFactory } from '../engine/open-mapping.ts';
import type { Store } from '../store/store.ts';
import type { ConfigFile } from './config-file.ts';

/** What `apply` changed, for the CLI to print. */
export interface ApplySummary {
  connections: string[];
  mappings: string[];
  tasks: string[];
}

/**
 * Checks cross-references and filters, then saves everything (create or replace by id). Nothing is
 * saved when anything is invalid.
 */
export async function applyConfig(
  store: Store,
  config: ConfigFile,
  o: { connectorFactory?: ConnectorFactory } = {},
): Promise<ApplySummary> {
  const connectionIds = new Set([
    ...config.connections.map((c) => c.id),
    ...(await store.connections.list()).map((c) => c.id),
  ]);
  const mappingIds = new Set([
    ...config.mappings.map((m) => m.id),
    ...(await store.mappings.list()).map((m) => m.id),
  ]);
  const problems: string[] = [];
  for (const m of config.mappings) {
    for (const side of ['source', 'target'] as const) {
      if (!connectionIds.has(m[side].connectionId))
        problems.push(`mapping '${m.id}': ${side} connection '${m[side].connectionId}' does not exist`);
    }
    if (m.filter) {
      try {
        prepareExpression(m.filter);
      } catch (err) {
        problems.push(`mapping '${m.id}': filter: ${(err as Error).message}`);
      }
    }
  }
  if (!problems.length) {
    // Filters and formulas against the source's fields and relations (SQL sources), positions included.
    const stored = await store.connections.list();
    const connectionOf = async (id: string) => {
      const c = config.connections.find((x) => x.id === id);
      return c
        ? { id: c.id, name: c.name ?? c.id, system: c.system, config: c.config, secret: c.secret }
        : stored.some((x) => x.id === id)
          ? store.connections.get(id)
          : undefined;
    };
    for (const m of config.mappings) {
      for (const issue of await checkMappingTypes(m, async (id) =>
        describeSourceForCheck(await connectionOf(id), o.connectorFactory),
      )) {
        problems.push(`mapping '${m.id}': ${issue.field}: ${issue.message}`);
      }
    }
  }
  for (const t of config.tasks)
    if (!mappingIds.has(t.mapping)) problems.push(`task '${t.id}': mapping '${t.mapping}' does not exist`);
  if (problems.length) throw new ValidationError(problems.join('; '), { details: { problems } });

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
  for (const { mapping, name, ...t } of config.tasks) {
    await store.tasks.save({ ...t, name: name ?? t.id, mappingId: mapping });
  }
  return {
    connections: config.connections.map((c) => c.id),
    mappings: config.mappings.map((m) => m.id),
    tasks: config.tasks.map((t) => t.id),
  };
}
