import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Role, User } from '../../core/users.ts';
import { DEFAULT_WORKSPACE, WORKSPACE_ROLES, type WorkspaceRole } from '../../core/workspaces.ts';
import type { ApiTokensTable, Database, UsersTable } from '../schema.ts';

/** An API token as users and admins see it: never its secret or hash. */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  /** Null: never used. Recorded to the minute. */
  lastUsedAt: string | null;
  /** Null: never expires. */
  expiresAt: string | null;
  /** The role the token acts with in its workspace: its owner's there or lower (capped when used). */
  role: WorkspaceRole;
  /** The one workspace the token acts in. */
  workspaceId: string;
}

/** A login session as its user sees it: an id derived from the stored hash, never the cookie. */
export interface SessionInfo {
  id: string;
  createdAt: string;
  expiresAt: string;
}

/** Public id of a session: a prefix of the stored hash of its cookie (the cookie cannot be derived from it). */
const sessionId = (idHash: string) => idHash.slice(0, 16);

/** `last_used_at` is written at most this often per token. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A token's stored role; tokens from before roles (null) act with their owner's role, capped when used. */
const tokenRole = (role: string | null | undefined): WorkspaceRole =>
  (WORKSPACE_ROLES as readonly string[]).includes(role ?? '') ? (role as WorkspaceRole) : 'admin';

const toToken = (r: Omit<ApiTokensTable, 'user_id' | 'token_hash'>): ApiToken => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  expiresAt: r.expires_at,
  role: tokenRole(r.role),
  workspaceId: r.workspace_id ?? DEFAULT_WORKSPACE,
});

const toUser = (r: UsersTable): User => ({
  id: r.id,
  username: r.username,
  name: r.name,
  role: r.role as Role,
  mustChangePassword: r.must_change_password === 1,
  disabled: r.disabled === 1,
  createdAt: new Date(r.created_at),
});

/** Users, their login sessions and API tokens. Only hashes of passwords, session ids and tokens are kept. */
export function createUserRepository(db: Kysely<Database>) {
  return {
    async count(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async create(u: {
      username: string;
      name: string;
      role: Role;
      passwordHash: string;
      mustChangePassword?: boolean;
      /**
       * Where the user may work, and as what (the instance administrator works everywhere). Default: a viewer
       * of the default workspace, as every customer account was before workspaces.
       */
      workspaces?: { id: string; role: WorkspaceRole }[];
    }): Promise<User> {
      const now = new Date().toISOString();
      const row: UsersTable = {
        id: crypto.randomUUID(),
        username: u.username,
        name: u.name,
        role: u.role,
        password_hash: u.passwordHash,
        must_change_password: u.mustChangePassword ? 1 : 0,
        disabled: 0,
        created_at: now,
        updated_at: now,
      };
      const exists = await db
        .selectFrom('users')
        .select('id')
        .where('username', '=', u.username)
        .executeTakeFirst();
      if (exists)
        throw new ValidationError(`a user named '${u.username}' already exists`, {
          details: { field: 'username' },
        });
      await db.insertInto('users').values(row).execute();
      const memberships =
        u.workspaces ?? (u.role === 'admin' ? [] : [{ id: DEFAULT_WORKSPACE, role: 'viewer' as const }]);
      for (const m of memberships)
        await db
          .insertInto('workspace_members')
          .values({ workspace_id: m.id, user_id: row.id, role: m.role })
          .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role: m.role }))
          .execute();
      return toUser(row);
    },

    async get(id: string): Promise<User> {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`user '${id}' does not exist`);
      return toUser(row);
    },

    /** The user and its password hash, for login. */
    async findForLogin(username: string): Promise<{ user: User; passwordHash: string } | null> {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
    },

    async list(): Promise<User[]> {
      return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
    },

    async update(
      id: string,
      patch: {
        name?: string;
        role?: Role;
        passwordHash?: string;
        mustChangePassword?: boolean;
        disabled?: boolean;
      },
      /** The session that made the change (own password): it stays, every other one of the user ends. */
      o: { keepSession?: string } = {},
    ) {
      await this.get(id);
      await db
        .updateTable('users')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
          ...(patch.mustChangePassword !== undefined
            ? { must_change_password: patch.mustChangePassword ? 1 : 0 }
            : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .execute();
      if (patch.disabled || patch.passwordHash) {
        let q = db.deleteFrom('sessions').where('user_id', '=', id);
        if (o.keepSession && !patch.disabled) q = q.where('id_hash', '!=', o.keepSession);
        await q.execute();
      }
      // A new password (own change or admin reset) ends every API token: a token made by whoever
      // knew the old password must not outlive it.
      if (patch.passwordHash) await db.deleteFrom('api_tokens').where('user_id', '=', id).execute();
      return this.get(id);
    },

    async delete(id: string): Promise<void> {
      await db.deleteFrom('workspace_members').where('user_id', '=', id).execute();
      await db.deleteFrom('users').where('id', '=', id).execute();
    },

    async createSession(s: {
      idHash: string;
      userId: string;
      csrfToken: string;
      expiresAt: Date;
    }): Promise<void> {
      await db
        .insertInto('sessions')
        .values({
          id_hash: s.idHash,
          user_id: s.userId,
          csrf_token: s.csrfToken,
          expires_at: s.expiresAt.toISOString(),
          created_at: new Date().toISOString(),
        })
        .execute();
    },

    /** A live session and its (enabled) user. */
    async findSession(idHash: string): Promise<{ user: User; csrfToken: string } | null> {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .select('sessions.csrf_token')
        .where('sessions.id_hash', '=', idHash)
        .where('sessions.expires_at', '>', new Date().toISOString())
        .where('users.disabled', '=', 0)
        .executeTakeFirst();
      return row ? { user: toUser(row), csrfToken: row.csrf_token } : null;
    },

    async deleteSession(idHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    /** A user's live sessions, newest first; `current` marks the one whose hash is given. */
    async listSessions(
      userId: string,
      currentHash?: string,
    ): Promise<(SessionInfo & { current: boolean })[]> {
      const rows = await db
        .selectFrom('sessions')
        .select(['id_hash', 'created_at', 'expires_at'])
        .where('user_id', '=', userId)
        .where('expires_at', '>', new Date().toISOString())
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map((r) => ({
        id: sessionId(r.id_hash),
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        current: r.id_hash === currentHash,
      }));
    },

    /** Ends one of a user's sessions by its public id; false when the user has no such session. */
    async endSession(userId: string, id: string): Promise<boolean> {
      if (!/^[0-9a-f]{16}$/.test(id)) return false;
      const res = await db
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where('id_hash', 'like', `${id}%`)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    async createToken(t: {
      id: string;
      userId: string;
      name: string;
      tokenHash: string;
      /** Null: the token never expires. */
      expiresAt: Date | null;
      /** The role the token acts with (the caller checks it is not above the owner's in the workspace). */
      role: WorkspaceRole;
      /** The workspace the token acts in. */
      workspaceId: string;
    }): Promise<ApiToken> {
      await this.get(t.userId);
      const row = {
        id: t.id,
        user_id: t.userId,
        name: t.name,
        token_hash: t.tokenHash,
        last_used_at: null,
        created_at: new Date().toISOString(),
        expires_at: t.expiresAt?.toISOString() ?? null,
        role: t.role,
        workspace_id: t.workspaceId,
      };
      await db.insertInto('api_tokens').values(row).execute();
      return toToken(row);
    },

    /** The token's hash and its (enabled) user, unless it expired; records when it was last used. */
    async findToken(
      id: string,
      now = new Date(),
    ): Promise<{ user: User; tokenHash: string; role: WorkspaceRole; workspaceId: string } | null> {
      const at = now.toISOString();
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('users')
        .select([
          'api_tokens.token_hash',
          'api_tokens.last_used_at',
          'api_tokens.role as token_role',
          'api_tokens.workspace_id as token_workspace',
        ])
        .where('api_tokens.id', '=', id)
        .where('users.disabled', '=', 0)
        .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', at)]))
        .executeTakeFirst();
      if (!row) return null;
      // At most one write a minute per token: a script polling every second should not write every second.
      if (!row.last_used_at || Date.parse(row.last_used_at) < now.getTime() - LAST_USED_RESOLUTION_MS) {
        await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
      }
      // The owner as they are; the token's role caps what the request may (server/auth/auth-plugin.ts).
      const user = toUser(row);
      const role = tokenRole(row.token_role);
      return {
        user,
        tokenHash: row.token_hash,
        role,
        workspaceId: row.token_workspace ?? DEFAULT_WORKSPACE,
      };
    },

    /** A user's API tokens (without hashes), newest first. */
    async listTokens(userId: string): Promise<ApiToken[]> {
      await this.get(userId);
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toToken);
    },

    /** Revokes one of a user's tokens; false when the user has no such token. */
    async deleteToken(userId: string, id: string): Promise<boolean> {
      const res = await db
        .deleteFrom('api_tokens')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}
