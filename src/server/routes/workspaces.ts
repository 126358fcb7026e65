import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { WORKSPACES_FOLDER, workspaceFolderOf } from '../../core/workspace-folders.ts';
import {
  DEFAULT_LIMITS,
  DEFAULT_WORKSPACE,
  WORKSPACE_ID,
  WORKSPACE_ROLES,
  WorkspaceNotEmptyError,
} from '../../core/workspaces.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

const WorkspaceParams = z.object({
  id: z.string().regex(WORKSPACE_ID, 'lower-case letters, digits, - and _'),
});
const MemberParams = z.object({ id: z.string().min(1), userId: z.string().min(1) });

const Limits = z
  .object({
    minIntervalMinutes: z.number().positive().max(1440),
    maxIntervalMinutes: z.number().positive().max(43_200),
    maxConcurrentRuns: z.number().int().min(1).max(1000).nullable(),
    // Percent of a shared outside account's rate limit; null: no share of its own.
    rateShare: z
      .number()
      .int('a whole percentage')
      .min(1, 'a share is at least 1 %')
      .max(100, 'a share is at most 100 %')
      .nullable(),
  })
  .partial()
  .strict();

/**
 * Workspaces: every user lists those they belong to (the dashboard's switcher); the instance administrator
 * creates them, sets their limits and says who may do what in each.
 */
export async function workspaceRoutes(app: Api, { store, files, importsDir }: ServerDeps): Promise<void> {
  const instance = { role: 'instance' as const };
  app.get(
    '/api/workspaces',
    {
      config: { role: 'self' },
      schema: {
        tags: ['workspaces'],
        summary: 'The workspaces you may work in, with your role and their limits',
      },
    },
    async (req) => ({ workspaces: req.access.workspaces }),
  );
  app.put(
    '/api/workspaces/:id',
    {
      config: instance,
      schema: {
        tags: ['workspaces'],
        summary:
          'Create or change a workspace: its name and limits (interval range, concurrent runs, share of a shared rate limit)',
        params: WorkspaceParams,
        body: z.object({ name: z.string().trim().min(1).max(200), limits: Limits.optional() }).strict(),
      },
    },
    async (req) => {
      const current = await store.workspaces.get(req.params.id).catch((err) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      // A new workspace starts from the default range: its shortest interval must not pass that longest either.
      const limits = { ...(current?.limits ?? DEFAULT_LIMITS), ...req.body.limits };
      if (limits.minIntervalMinutes > limits.maxIntervalMinutes)
        throw new ValidationError('the shortest interval is longer than the longest', {
          details: { field: 'limits.minIntervalMinutes' },
        });
      const saved = await store.workspaces.save({
        id: req.params.id,
        name: req.body.name,
        limits: req.body.limits ?? {},
      });
      const shares = (await store.workspaces.list()).reduce((sum, w) => sum + (w.limits.rateShare ?? 0), 0);
      if (shares <= 100) return saved;
      // A hint, not a refusal: which workspaces share an outside account is not known here, so the shares
      // of those that do may well fit. Where they add up to 100 % or more, one without a share gets ~1 %.
      return {
        ...saved,
        warnings: [
          {
            code: 'rate_shares_over_100',
            message: `the workspaces' shares of a shared rate limit add up to ${shares} %: where they all use one account, a workspace without a share gets about 1 % of it while the others wait`,
            details: { total: shares },
          },
        ],
      };
    },
  );
  app.delete(
    '/api/workspaces/:id',
    {
      config: instance,
      schema: { tags: ['workspaces'], summary: 'Delete an empty workspace', params: WorkspaceParams },
    },
    async (req) => {
      const { id } = req.params;
      // A workspace made again under this id would read what is left in its folders: the customer's files
      // are the operator's to move or remove (never deleted here); Junction's own imports of it go with it.
      if (id !== DEFAULT_WORKSPACE) {
        // Only its own part (`…/workspaces/<id>`): a hub without workspace folders gives every workspace all.
        const own = (files?.forWorkspace(id).folders ?? []).filter(
          (f) => basename(f) === id && basename(dirname(f)) === WORKSPACES_FOLDER,
        );
        const left = own.filter((f) => listed(f).length > 0);
        if (left.length > 0)
          throw new WorkspaceNotEmptyError(
            `workspace '${id}' still has files in ${left.join(' and ')}: move or remove them first`,
            { details: { folders: left } },
          );
      }
      await store.workspaces.delete(id);
      if (id !== DEFAULT_WORKSPACE && importsDir)
        rmSync(workspaceFolderOf(importsDir, id), { recursive: true, force: true });
      return { ok: true };
    },
  );
  app.get(
    '/api/workspaces/:id/members',
    {
      config: instance,
      schema: { tags: ['workspaces'], summary: 'Who may do what in a workspace', params: WorkspaceParams },
    },
    async (req) => ({ members: await store.workspaces.members(req.params.id) }),
  );
  app.put(
    '/api/workspaces/:id/members/:userId',
    {
      config: instance,
      schema: {
        tags: ['workspaces'],
        summary: 'Give a user a role in a workspace (admin, operator or viewer)',
        params: MemberParams,
        body: z.object({ role: z.enum(WORKSPACE_ROLES) }).strict(),
      },
    },
    async (req) => {
      await store.users.get(req.params.userId);
      await store.workspaces.setMember(req.params.id, req.params.userId, req.body.role);
      return { members: await store.workspaces.members(req.params.id) };
    },
  );
  app.delete(
    '/api/workspaces/:id/members/:userId',
    {
      config: instance,
      schema: { tags: ['workspaces'], summary: 'Take a user out of a workspace', params: MemberParams },
    },
    async (req) => {
      if (!(await store.workspaces.removeMember(req.params.id, req.params.userId)))
        throw new NotFoundError(`user '${req.params.userId}' is no member of workspace '${req.params.id}'`);
      return { ok: true };
    },
  );
}

/** A folder's entries; none when it does not exist. */
function listed(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
