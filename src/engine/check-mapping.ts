import { pino } from 'pino';
import type { ObjectDescription } from '../connectors/connector.ts';
import type { LimiterProvider } from '../connectors/rate-limiter.ts';
import { createConnector } from '../connectors/registry.ts';
import { prepareExpression } from '../core/expression/index.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import {
  MAPPING_WARNING_CODES,
  type MappingCheck,
  type MappingIssue,
  mappingIssue,
} from '../core/mapping-issues.ts';
import { compileTransform } from '../core/transforms.ts';
import type { Connection } from '../core/types.ts';
import { assignmentsOf } from './assignments.ts';
import { checkAgainstSystems, expressionIssue } from './check-mapping-fields.ts';
import type { ConnectorFactory } from './open-mapping.ts';

export type { MappingCheck, MappingIssue } from '../core/mapping-issues.ts';

/** What a connection's system said about itself: its objects, or why it could not say. */
export type Described = { objects: ObjectDescription[] } | { error: string };
/** Describes a connection by id; null when no such connection exists. */
export type DescribeConnection = (connectionId: string) => Promise<Described | null>;

const silent = pino({ level: 'silent' });

/** How long a save waits for a system to describe itself before it checks without it (a warning). */
const DESCRIBE_TIMEOUT_MS = 5_000;

/**
 * The objects of a connection as its system describes them, for checking a mapping on save; made by
 * `make` (the caller's, e.g. confined to the files folders). A system that cannot be reached (or takes
 * longer than 5 s) gives its error instead: the save goes on, with a warning that it was not checked.
 */
export async function describeForCheck(
  connection: Connection,
  make: ConnectorFactory = createConnector,
  limiters?: LimiterProvider,
): Promise<Described> {
  let connector: ReturnType<ConnectorFactory> | undefined;
  const signal = AbortSignal.timeout(DESCRIBE_TIMEOUT_MS);
  try {
    // The connection's own budget (shared with its runs on PostgreSQL): a save must not push a portal over.
    connector = make(connection, { log: silent, signal, ...(limiters ? { limiters } : {}) });
    const described = connector.describe();
    // A connector that does not watch the signal (a database still connecting) is not waited for longer.
    const timedOut = new Promise<never>((_, reject) =>
      signal.addEventListener(
        'abort',
        () => reject(new Error(`no answer within ${DESCRIBE_TIMEOUT_MS / 1000} s`)),
        {
          once: true,
        },
      ),
    );
    described.catch(() => {});
    return { objects: await Promise.race([described, timedOut]) };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    // Closing a connector whose database never opened may fail; nothing is left open then. One that did
    // not answer in time is left to close in the background.
    const closing = connector?.close?.().catch(() => {});
    if (!signal.aborted) await closing;
  }
}

/** Checks that need no system: expressions parse, transforms compile, the match key is mapped. */
function checkStatic(a: MappingDefinition, prefix: string, ownMatchKey: boolean): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const parse = (place: string, text: string | undefined) => {
    if (!text?.trim()) return;
    try {
      prepareExpression(text);
    } catch (err) {
      issues.push(expressionIssue(place, err));
    }
  };
  parse(`${prefix}filter`, a.filter);
  for (const [j, f] of a.fields.entries()) {
    parse(`${prefix}fields.${j}.formula`, f.formula);
    for (const [k, t] of f.transform.entries()) {
      try {
        compileTransform(t);
      } catch (err) {
        issues.push(
          mappingIssue(`${prefix}fields.${j}.transform.${k}`, 'invalid_transform', {
            transform: t.type,
            detail: (err as Error).message
              .replace(/^invalid '[^']*' transform: /, '')
              .replace(/^\w+ transform: /, ''),
          }),
        );
      }
    }
  }
  const mapped = new Set(a.fields.map((f) => f.target));
  // A source-assigned identifier matches by the record's key; update-only never creates by match.
  if (a.identifier !== 'source' && a.sync !== 'update') {
    const field = a.matchKey.source ?? a.matchKey.target;
    if (!mapped.has(field))
      issues.push(
        mappingIssue(
          ownMatchKey ? `${prefix}matchKey.${a.matchKey.source ? 'source' : 'target'}` : `${prefix}fields`,
          'match_key_unmapped',
          { matchKey: a.matchKey.target, field },
        ),
      );
  }
  if (a.initialMatching) {
    const field = a.initialMatching.source ?? a.initialMatching.property;
    if (!mapped.has(field))
      issues.push(
        mappingIssue(
          `${prefix}initialMatching.${a.initialMatching.source ? 'source' : 'property'}`,
          'match_key_unmapped',
          { matchKey: a.initialMatching.property, field },
        ),
      );
  }
  return issues;
}

const WARNINGS = new Set<string>(MAPPING_WARNING_CODES);

/**
 * Checks a mapping definition (it fits its schema already): every assignment's filters, formulas and
 * transforms, its match key, and — as far as `describe` can tell — its source fields and relation paths,
 * target properties and their types. Errors refuse a save; warnings (read-only or required-but-unmapped
 * properties, a system that could not be described) do not.
 */
export async function checkMapping(
  mapping: MappingDefinition,
  describe: DescribeConnection,
): Promise<MappingCheck> {
  const issues: MappingIssue[] = [];
  const described = new Map<string, Promise<Described | null>>();
  const reported = new Set<string>();
  const objectsOf = async (connectionId: string, place: string): Promise<ObjectDescription[] | undefined> => {
    let pending = described.get(connectionId);
    if (!pending) {
      pending = describe(connectionId);
      described.set(connectionId, pending);
    }
    const d = await pending;
    const once = (issue: MappingIssue) => {
      if (reported.has(`${issue.code}:${connectionId}`)) return;
      reported.add(`${issue.code}:${connectionId}`);
      issues.push(issue);
    };
    if (!d) once(mappingIssue(place, 'unknown_connection', { connection: connectionId }));
    else if ('error' in d)
      once(mappingIssue(place, 'describe_failed', { connection: connectionId, reason: d.error }));
    else return d.objects;
    return undefined;
  };
  const objectOf = (
    objects: ObjectDescription[] | undefined,
    connectionId: string,
    name: string,
    place: string,
  ) => {
    if (!objects) return undefined;
    const found = objects.find((o) => o.name === name);
    // A table created after the configuration is reported when a run reads it; the save goes on.
    if (!found)
      issues.push(mappingIssue(place, 'unknown_object', { connection: connectionId, object: name }));
    return found;
  };

  for (const [i, a] of assignmentsOf(mapping).entries()) {
    const own = i === 0 ? undefined : mapping.assignments?.[i - 1];
    const prefix = i === 0 ? '' : `assignments.${i - 1}.`;
    issues.push(...checkStatic(a, prefix, i === 0 || own?.matchKey !== undefined));
    const sourcePlace =
      i === 0 || own?.source?.connectionId ? `${prefix}source.connectionId` : 'source.connectionId';
    const targetPlace =
      i === 0 || own?.target?.connectionId ? `${prefix}target.connectionId` : 'target.connectionId';
    const sourceObjects = await objectsOf(a.source.connectionId, sourcePlace);
    const targetObjects = await objectsOf(a.target.connectionId, targetPlace);
    const source = objectOf(sourceObjects, a.source.connectionId, a.source.object, `${prefix}source.object`);
    const target = objectOf(targetObjects, a.target.connectionId, a.target.object, `${prefix}target.object`);
    issues.push(
      ...checkAgainstSystems(a, {
        prefix,
        ...(source ? { source, sourceObjects } : {}),
        ...(target ? { target } : {}),
        ownSource: i === 0 || own?.source !== undefined,
      }),
    );
  }
  const unique = [
    ...new Map(issues.map((x) => [`${x.field}|${x.code}|${JSON.stringify(x.params)}`, x])).values(),
  ];
  return {
    errors: unique.filter((x) => !WARNINGS.has(x.code)),
    warnings: unique.filter((x) => WARNINGS.has(x.code)),
  };
}
