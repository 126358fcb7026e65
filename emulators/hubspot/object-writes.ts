/** Checks shared by the single-object and batch routes: object type, idProperty, values, conflicts. */
import { HubSpotHttpError, type PropertyIssue, propertyValidationError, validationError } from './errors.ts';
import { type ObjectTypeDef, resolveObjectType } from './object-types.ts';
import type { EmulatorState, StoredObject } from './store.ts';
import { type PropertyInput, validateProperties } from './validate-properties.ts';

/** The object type named in the path, or HubSpot's 400 for an unknown one. */
export function objectTypeOf(params: unknown): ObjectTypeDef {
  const segment = (params as { objectType?: string }).objectType ?? '';
  const def = resolveObjectType(segment);
  if (!def) throw validationError(`Unable to infer object type from: ${segment}`);
  return def;
}

/**
 * Checks that `idProperty` names a unique property of the type. `hs_object_id` is accepted only where
 * HubSpot accepts it (reads); updates and upserts by it fail as on the real service.
 */
export function checkIdProperty(
  state: EmulatorState,
  def: ObjectTypeDef,
  idProperty: string | undefined,
  { allowObjectId }: { allowObjectId: boolean },
): void {
  if (idProperty === undefined) return;
  if (idProperty === 'hs_object_id' && allowObjectId) return;
  if (!state.registry.get(def.name, idProperty)?.hasUniqueValue) {
    const typeId = def.aliases.find((a) => /^\d+-\d+$/.test(a)) ?? def.name;
    throw validationError(`Unable to perform update/upsert by non-unique ${typeId} property ${idProperty}`);
  }
}

// Values and issues of one write; a deal's stage is checked against its pipeline (the new one, or the
// one it is in when `current` holds the stored deal).
function validated(
  state: EmulatorState,
  def: ObjectTypeDef,
  input: PropertyInput,
  current: StoredObject | undefined,
): { values: Record<string, string | null>; issues: PropertyIssue[] } {
  const { values, issues } = validateProperties(state.registry, def.name, input);
  if (def.name !== 'deals' || issues.length > 0) return { values, issues };
  if (!current && values.dealstage && values.pipeline === undefined) values.pipeline = 'default';
  if (values.pipeline === undefined && values.dealstage === undefined) return { values, issues };
  return { values, issues: state.pipelines.dealIssues(values, current?.properties) };
}

/** Validated values of one write, or HubSpot's 400 listing every invalid property. */
export function checkedValues(
  state: EmulatorState,
  def: ObjectTypeDef,
  input: PropertyInput,
  current?: StoredObject,
): Record<string, string | null> {
  const { values, issues } = validated(state, def, input, current);
  if (issues.length > 0) throw propertyValidationError(issues);
  return values;
}

/** Validates every input of a batch up front: HubSpot refuses the whole batch for one invalid value. */
export function checkedBatchValues(
  state: EmulatorState,
  def: ObjectTypeDef,
  inputs: readonly PropertyInput[],
  current: readonly (StoredObject | undefined)[] = [],
): Record<string, string | null>[] {
  const all = inputs.map((input, i) => validated(state, def, input, current[i]));
  const issues = all.flatMap((r) => r.issues);
  if (issues.length > 0) throw propertyValidationError(issues);
  return all.map((r) => r.values);
}

/** 409 CONFLICT for a unique value another record holds. */
export function conflictError(def: ObjectTypeDef, existingId: string): HubSpotHttpError {
  return new HubSpotHttpError(409, 'CONFLICT', `${def.label} already exists. Existing ID: ${existingId}`);
}

/** The batch size limit of HubSpot's CRM batch endpoints. */
export const MAX_BATCH_INPUTS = 100;

/** 400 when a batch has more inputs than HubSpot accepts. */
export function checkBatchSize(count: number): void {
  if (count > MAX_BATCH_INPUTS) {
    throw validationError(
      `Batch input limit exceeded: ${count} inputs were sent, the limit is ${MAX_BATCH_INPUTS}.`,
      [{ message: `size must be between 0 and ${MAX_BATCH_INPUTS}`, in: 'inputs' }],
    );
  }
}

/** 400 when the same record is named twice in one batch. */
export function checkDuplicateIds(
  ids: readonly string[],
  normalise: (id: string) => string = (id) => id,
): void {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const id of ids) {
    const key = normalise(id);
    if (seen.has(key)) dupes.add(id);
    seen.add(key);
  }
  if (dupes.size > 0)
    throw validationError(
      `Duplicate IDs found in batch input: [${[...dupes].join(', ')}]. IDs must be unique`,
    );
}
