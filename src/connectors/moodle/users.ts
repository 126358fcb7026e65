import type { WriteOp, WriteResult } from '../connector.ts';
import { type BatchItem, failure, failuresOf, isResult, splitOnRefusal, success } from './batch.ts';
import type { MoodleClient } from './client.ts';
import { MoodleCreatedUsersSchema, type MoodleUser, MoodleWarningsSchema } from './schemas.ts';
import {
  cleanMatchValue,
  cleanUsername,
  EXTERNAL_AUTHS,
  type MatchField,
  REQUIRED_ON_CREATE,
  toUserParams,
  USER_MATCH_FIELDS,
  type UserParams,
  usersBy,
} from './user-fields.ts';

interface Update {
  id: number;
  created: boolean;
  /** Fields whose refusal Moodle does not report: checked on the user afterwards. */
  expect: { email?: string; suspended?: boolean };
}

/** Creates users in batches; a refused batch is split until the refused users stand alone. */
async function createUsers(client: MoodleClient, items: BatchItem<null>[]): Promise<WriteResult[]> {
  const done = await splitOnRefusal(items, (chunk) =>
    client.call(
      'core_user_create_users',
      { users: chunk.map((c) => c.params) },
      MoodleCreatedUsersSchema,
      // A create sent twice makes a second user (or fails on the first one's username): never resent blindly.
      { idempotent: false },
    ),
  );
  return items.map((item) => {
    const r = done.get(item.ref);
    if (!r) return failure(item.ref, 'no_result', 'Moodle returned no result for this user', true);
    return isResult(r) ? r : success(item.ref, r.result.id, true);
  });
}

/**
 * Updates users in batches, then reads them back: `core_user_update_users` skips users that do not exist
 * and e-mail changes it refuses (invalid, or another user's) without a word, so only the users found with
 * what was sent count as written.
 */
async function updateUsers(client: MoodleClient, items: BatchItem<Update>[]): Promise<WriteResult[]> {
  const done = await splitOnRefusal(items, async (chunk) => {
    const warnings = await client.call(
      'core_user_update_users',
      { users: chunk.map((c) => ({ ...c.params, id: c.meta.id })) },
      MoodleWarningsSchema,
    );
    return chunk.map((c) => warnings.find((w) => w.itemid === c.meta.id) ?? null);
  });
  const written = items.filter((i) => {
    const r = done.get(i.ref);
    return r && !isResult(r) && r.result === null;
  });
  let found = new Map<number, MoodleUser>();
  try {
    const users = await usersBy(
      client,
      'id',
      written.map((i) => String(i.meta.id)),
    );
    found = new Map(users.map((u) => [u.id, u]));
  } catch (err) {
    const failed = new Map(
      failuresOf(
        written.map((i) => i.ref),
        err,
      ).map((f) => [f.ref, f]),
    );
    return items.map((i) => failed.get(i.ref) ?? resultOf(i, done.get(i.ref), found));
  }
  return items.map((i) => resultOf(i, done.get(i.ref), found));
}

function resultOf(
  item: BatchItem<Update>,
  r: { item: BatchItem<Update>; result: unknown } | WriteResult | undefined,
  found: Map<number, MoodleUser>,
): WriteResult {
  if (!r) return failure(item.ref, 'no_result', 'Moodle returned no result for this user', true);
  if (isResult(r)) return r;
  const warning = r.result as { warningcode?: string; message?: string } | null;
  if (warning)
    return failure(
      item.ref,
      `moodle_${warning.warningcode ?? 'warning'}`,
      warning.message ?? 'refused',
      false,
    );
  const user = found.get(item.meta.id);
  if (!user)
    return {
      ...failure(item.ref, 'moodle_user_not_found', `Moodle has no user ${item.meta.id} (deleted?)`, false),
      gone: true,
    };
  const { email, suspended } = item.meta.expect;
  if (email !== undefined && (user.email ?? '') !== email)
    return failure(
      item.ref,
      'moodle_email_refused',
      `Moodle kept ${user.email ?? 'no e-mail'} instead of ${email}: the address is invalid or another user has it`,
      false,
    );
  if (suspended !== undefined && user.suspended !== undefined && user.suspended !== suspended)
    return failure(
      item.ref,
      'moodle_not_suspended',
      `Moodle did not change the suspension of user ${user.id}`,
      true,
    );
  return success(item.ref, user.id, item.meta.created);
}

/** Deletes users in batches; a user already gone (replayed delete) counts as deleted. */
async function deleteUsers(client: MoodleClient, items: BatchItem<number>[]): Promise<WriteResult[]> {
  const done = await splitOnRefusal(
    items,
    (chunk) =>
      client
        .call('core_user_delete_users', { userids: chunk.map((c) => c.meta) }, MoodleWarningsSchema)
        .then(() => chunk.map(() => null)),
    (item, err) =>
      err.body.errorcode === 'invalidrecord'
        ? success(item.ref, item.meta, false)
        : failure(item.ref, err.code, err.message, err.retryable),
  );
  return items.map((item) => {
    const r = done.get(item.ref);
    if (!r) return failure(item.ref, 'no_result', 'Moodle returned no result for this user', true);
    return isResult(r) ? r : success(item.ref, item.meta, false);
  });
}

function expectOf(params: UserParams): Update['expect'] {
  const expect: Update['expect'] = {};
  if (typeof params.email === 'string') expect.email = params.email;
  if (params.suspended !== undefined) expect.suspended = params.suspended === 1;
  return expect;
}

/**
 * Writes users: upserts find their user by `idnumber`, `email` or `username` (one lookup per batch) and
 * update it, or create it (`username` defaults to the e-mail, lower-cased; without a password Moodle makes
 * one and mails it); updates by id; `archive` suspends; `delete` deletes. One result per op, in order.
 */
export async function writeUsers(client: MoodleClient, ops: WriteOp[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const creates: BatchItem<null>[] = [];
  const updates: BatchItem<Update>[] = [];
  const deletes: BatchItem<number>[] = [];
  const upserts = ops.filter((op): op is Extract<WriteOp, { kind: 'upsert' }> => op.kind === 'upsert');

  // One lookup per match field finds the users upserts address.
  const existing = new Map<string, MoodleUser[]>();
  const fields = new Set(upserts.map((op) => op.match.property));
  for (const field of fields) {
    if (!(USER_MATCH_FIELDS as readonly string[]).includes(field)) continue;
    const f = field as MatchField;
    const values = upserts.filter((op) => op.match.property === field).map((op) => op.match.value);
    try {
      for (const u of await usersBy(client, f, values)) {
        const key = `${field}\u0000${String(u[f] ?? '')}`;
        existing.set(key, [...(existing.get(key) ?? []), u]);
      }
    } catch (err) {
      for (const op of upserts.filter((o) => o.match.property === field))
        results.set(op.ref, failuresOf([op.ref], err)[0] as WriteResult);
    }
  }

  for (const op of ops) {
    if (results.has(op.ref)) continue;
    if (op.kind === 'delete') {
      deletes.push({ ref: op.ref, params: { id: op.externalId }, meta: Number(op.externalId) });
      continue;
    }
    if (op.kind === 'archive') {
      updates.push({
        ref: op.ref,
        params: { suspended: 1 },
        meta: { id: Number(op.externalId), created: false, expect: { suspended: true } },
      });
      continue;
    }
    const { params, unknown } = toUserParams(op.properties);
    if (unknown.length) {
      results.set(
        op.ref,
        failure(
          op.ref,
          'moodle_unknown_field',
          `Moodle users have no field ${unknown.map((u) => `'${u}'`).join(', ')}`,
          false,
        ),
      );
      continue;
    }
    if (op.kind === 'update') {
      updates.push({
        ref: op.ref,
        params,
        meta: { id: Number(op.externalId), created: false, expect: expectOf(params) },
      });
      continue;
    }
    const field = op.match.property;
    if (!(USER_MATCH_FIELDS as readonly string[]).includes(field) || field === 'id') {
      results.set(
        op.ref,
        failure(
          op.ref,
          'moodle_unsupported_match',
          `Moodle users are matched by idnumber, email or username, not by '${field}'`,
          false,
        ),
      );
      continue;
    }
    const value = cleanMatchValue(field as MatchField, op.match.value);
    const hits = existing.get(`${field}\u0000${value}`) ?? [];
    if (hits.length > 1) {
      results.set(
        op.ref,
        failure(
          op.ref,
          'moodle_ambiguous_match',
          `${hits.length} Moodle users have ${field} '${value}'`,
          false,
        ),
      );
      continue;
    }
    const found = hits[0];
    if (found) {
      updates.push({ ref: op.ref, params, meta: { id: found.id, created: false, expect: expectOf(params) } });
      continue;
    }
    // A new user carries the value it was matched by, so the next upsert finds it.
    // An empty field of a new user is left to Moodle's default (an empty `lang` would be refused).
    const create: UserParams = Object.fromEntries(
      Object.entries({ ...params, [field]: value }).filter(([, v]) => v !== ''),
    );
    if (create.username === undefined && typeof create.email === 'string')
      create.username = cleanUsername(create.email);
    const missing = REQUIRED_ON_CREATE.filter(
      (k) => create[k] === undefined || String(create[k]).trim() === '',
    );
    if (missing.length) {
      results.set(
        op.ref,
        failure(
          op.ref,
          'required_field_missing',
          `Moodle needs ${missing.join(', ')} to create a user`,
          false,
        ),
      );
      continue;
    }
    if (!create.password && !EXTERNAL_AUTHS.has(String(create.auth ?? 'manual'))) {
      delete create.password;
      create.createpassword = 1;
    }
    creates.push({ ref: op.ref, params: create, meta: null });
  }

  const [created, updated, deleted] = await Promise.all([
    creates.length ? createUsers(client, creates) : [],
    updates.length ? updateUsers(client, updates) : [],
    deletes.length ? deleteUsers(client, deletes) : [],
  ]);
  for (const r of [...created, ...updated, ...deleted]) results.set(r.ref, r);
  return ops.map(
    (op) => results.get(op.ref) ?? failure(op.ref, 'no_result', 'no result for this user', true),
  );
}
