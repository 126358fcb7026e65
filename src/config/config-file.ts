import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { systemNames } from '../connectors/registry.ts';
import { ValidationError } from '../core/errors.ts';
import { MappingDefinitionSchema } from '../core/mapping-definition.ts';
import { issuesFromSchema } from '../core/mapping-issues.ts';
import { TaskSchema } from '../core/task.ts';

const id = z
  .string()
  .min(1)
  .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only');

export const ConnectionFileSchema = z.strictObject({
  id,
  name: z.string().optional(),
  system: z.enum(systemNames()),
  config: z.record(z.string(), z.unknown()).default({}),
  secret: z.record(z.string(), z.unknown()).default({}),
});

/** A task in a configuration file: the task's one schema, naming its mapping `mapping`. */
export const TaskFileSchema = TaskSchema.omit({ mappingId: true }).extend({
  name: z.string().optional(),
  mapping: z.string().min(1),
});

/**
 * A configuration file: connections, mapping definitions and tasks, applied with `junction apply`. A key
 * none of them has (`secrets:`, `shedule:`, `delets:`) is refused at its place, never dropped. The mapping
 * export's version and time are read past, as the API's import does: an export applies as it is.
 */
export const ConfigFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  exportedAt: z.string().optional(),
  connections: z.array(ConnectionFileSchema).default([]),
  mappings: z.array(MappingDefinitionSchema).default([]),
  tasks: z.array(TaskFileSchema).default([]),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/**
 * Replaces `${NAME}` in string values with the environment variable, so secrets stay out of the file.
 * A missing variable is an error, not an empty secret.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/gi, (_, name: string) => {
      const v = env[name];
      if (v === undefined)
        throw new ValidationError(
          `${path || 'value'} refers to environment variable ${name}, which is not set`,
        );
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

/** Parses and validates a YAML or JSON config file; errors name the path of the offending field. */
export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new ValidationError(`the configuration is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const input = substituteEnv(raw, env);
  const result = ConfigFileSchema.safeParse(input);
  if (!result.success) {
    // Worded as the API words them: an unknown transform option names the options the transform has.
    const issues = issuesFromSchema(result.error.issues, input).map(({ field, ...i }) => ({
      path: field,
      ...i,
    }));
    throw new ValidationError(
      `the configuration is invalid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      {
        details: { issues },
      },
    );
  }
  return result.data;
}

export function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  return parseConfigText(readFileSync(file, 'utf8'), env);
}
