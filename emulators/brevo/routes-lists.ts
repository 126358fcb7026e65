/**
 * The list and folder routes an ordinary Brevo client calls beside creating lists and adding contacts:
 * `GET|PUT|DELETE /v3/contacts/lists/{listId}`, `GET /v3/contacts/lists/{listId}/contacts` (with
 * `modifiedSince` paging) and `/v3/contacts/folders` with the lists of a folder.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { invalidParameter, notFound } from './errors.ts';
import { dateParam, intParam, toListContact } from './routes-contacts.ts';
import type { BrevoState, StoredContact } from './store.ts';
import { parseBody } from './validate.ts';

/** Largest page of `GET /v3/contacts/lists/{listId}/contacts` (Brevo: 500). */
export const MAX_LIST_CONTACTS_LIMIT = 500;
/** Largest page of the folder routes (Brevo: 50). */
export const MAX_FOLDERS_LIMIT = 50;

type Query = Record<string, string | undefined>;

const updateListSchema = z
  .object({ name: z.string().min(1).optional(), folderId: z.number().int().positive().optional() })
  .refine((b) => b.name !== undefined || b.folderId !== undefined, 'name or folderId is required');
const folderSchema = z.object({ name: z.string().min(1) });

// Subscriber counts as Brevo reports them on lists and folders.
function counts(members: readonly StoredContact[]) {
  return {
    totalBlacklisted: members.filter((c) => c.emailBlacklisted).length,
    totalSubscribers: members.filter((c) => !c.emailBlacklisted).length,
    uniqueSubscribers: members.length,
  };
}

function sorted<T>(items: T[], sort: string | undefined): T[] {
  if (sort !== undefined && sort !== 'asc' && sort !== 'desc')
    throw invalidParameter('sort must be asc or desc');
  // Brevo lists newest first unless asked otherwise.
  return sort === 'asc' ? items : [...items].reverse();
}

/** Fastify plugin with the list detail and folder routes, registered under `/v3/contacts`. */
export function listDetailRoutes(state: BrevoState): FastifyPluginAsync {
  return async (app) => {
    const members = (listId: number) => state.list().filter((c) => c.listIds.includes(listId));
    const listOf = (params: unknown) => {
      const id = Number((params as { listId: string }).listId);
      const list = Number.isInteger(id) ? state.getList(id) : undefined;
      if (!list) throw notFound('List ID does not exist');
      return list;
    };
    const folderOf = (params: unknown) => {
      const id = Number((params as { folderId: string }).folderId);
      const folder = Number.isInteger(id) ? state.getFolder(id) : undefined;
      if (!folder) throw notFound('Folder ID does not exist');
      return folder;
    };
    const listSummary = (l: { id: number; name: string }) => ({
      id: l.id,
      name: l.name,
      ...counts(members(l.id)),
    });

    app.get('/lists/:listId', async (request) => {
      const list = listOf(request.params);
      return {
        id: list.id,
        name: list.name,
        folderId: list.folderId,
        ...counts(members(list.id)),
        createdAt: new Date(0).toISOString(),
        dynamicList: false,
      };
    });

    app.put('/lists/:listId', async (request, reply) => {
      const list = listOf(request.params);
      const body = parseBody(updateListSchema, request.body);
      if (body.folderId !== undefined && !state.getFolder(body.folderId))
        throw notFound('Folder ID does not exist');
      state.updateList(list, body);
      return reply.code(204).send();
    });

    app.delete('/lists/:listId', async (request, reply) => {
      state.deleteList(listOf(request.params).id);
      return reply.code(204).send();
    });

    app.get('/lists/:listId/contacts', async (request) => {
      const list = listOf(request.params);
      const q = request.query as Query;
      const limit = intParam('limit', q.limit, 50, MAX_LIST_CONTACTS_LIMIT);
      const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER);
      const modifiedSince = dateParam('modifiedSince', q.modifiedSince);
      const contacts = sorted(members(list.id), q.sort).filter(
        (c) => modifiedSince === undefined || Date.parse(c.modifiedAt) > modifiedSince,
      );
      return { contacts: contacts.slice(offset, offset + limit).map(toListContact), count: contacts.length };
    });

    app.get('/folders', async (request) => {
      const q = request.query as Query;
      const limit = intParam('limit', q.limit, 10, MAX_FOLDERS_LIMIT);
      const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER);
      const folders = sorted(state.folders(), q.sort);
      return {
        folders: folders.slice(offset, offset + limit).map((f) => {
          const inFolder = state.lists().filter((l) => l.folderId === f.id);
          const people = new Set(inFolder.flatMap((l) => members(l.id)));
          return { id: f.id, name: f.name, ...counts([...people]) };
        }),
        count: folders.length,
      };
    });

    app.post('/folders', async (request, reply) => {
      const { name } = parseBody(folderSchema, request.body);
      return reply.code(201).send({ id: state.createFolder(name).id });
    });

    app.get('/folders/:folderId', async (request) => {
      const folder = folderOf(request.params);
      const people = new Set(
        state
          .lists()
          .filter((l) => l.folderId === folder.id)
          .flatMap((l) => members(l.id)),
      );
      return { id: folder.id, name: folder.name, ...counts([...people]) };
    });

    app.put('/folders/:folderId', async (request, reply) => {
      const folder = folderOf(request.params);
      folder.name = parseBody(folderSchema, request.body).name;
      return reply.code(204).send();
    });

    app.delete('/folders/:folderId', async (request, reply) => {
      state.deleteFolder(folderOf(request.params).id);
      return reply.code(204).send();
    });

    app.get('/folders/:folderId/lists', async (request) => {
      const folder = folderOf(request.params);
      const q = request.query as Query;
      const limit = intParam('limit', q.limit, 10, MAX_FOLDERS_LIMIT);
      const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER);
      const lists = sorted(
        state.lists().filter((l) => l.folderId === folder.id),
        q.sort,
      );
      return { lists: lists.slice(offset, offset + limit).map(listSummary), count: lists.length };
    });
  };
}
