/**
 * The one place a mapping definition is accepted: the API's save, preview and import and `junction apply`
 * parse it here and check it against its systems; errors refuse it (ValidationError with the issues in
 * `details.issues`), warnings come back to be shown beside the saved mapping.
 */

import type { LimiterProvider } from '../connectors/rate-limiter.ts';
import { ValidationError } from '../core/errors.ts';
import { type MappingDefinition, MappingDefinitionSchema } from '../core/mapping-definition.ts';
import { formatMappingIssue, issuesFromSchema, type MappingIssue } from '../core/mapping-issues.ts';
import type { Connection } from '../core/types.ts';
import { checkMapping, type DescribeConnection, type Described, describeForCheck } from './check-mapping.ts';
import type { ConnectorFactory } from './open-mapping.ts';

/** Refuses `errors` as one ValidationError whose details carry each issue with its place and code. */
export function refuse(errors: MappingIssue[], warnings: MappingIssue[] = [], prefix = ''): never {
  throw new ValidationError(errors.map((i) => `${prefix}${formatMappingIssue(i)}`).join('; '), {
    details: { issues: errors, warnings },
  });
}

/** Parses a mapping definition; a misspelt option or key is refused with its place (`fields.0.transform.1`). */
export function parseMappingDefinition(input: unknown): MappingDefinition {
  const parsed = MappingDefinitionSchema.safeParse(input);
  if (!parsed.success) refuse(issuesFromSchema(parsed.error.issues, input));
  return parsed.data;
}

/**
 * Describes connections by id through `find` (null: no such connection), each once per describer: make one
 * per request or `apply`, so a file of ten mappings asks HubSpot for its properties once, within the
 * connection's budget (`limiters`).
 */
export function describeConnections(
  find: (id: string) => Promise<Connection | undefined>,
  make?: ConnectorFactory,
  limiters?: LimiterProvider,
): DescribeConnection {
  const described = new Map<string, Promise<Described | null>>();
  return (id) => {
    let d = described.get(id);
    if (!d) {
      d = find(id).then((connection) => (connection ? describeForCheck(connection, make, limiters) : null));
      described.set(id, d);
    }
    return d;
  };
}

/**
 * Checks a parsed mapping against its systems: throws ValidationError (details: `issues` and `warnings`)
 * when something is wrong, and otherwise answers the warnings (read-only or required-but-unmapped
 * properties, a system that could not be described).
 */
export async function validateMappingDefinition(
  mapping: MappingDefinition,
  describe: DescribeConnection,
): Promise<MappingIssue[]> {
  const { errors, warnings } = await checkMapping(mapping, describe);
  if (errors.length) refuse(errors, warnings);
  return warnings;
}
