import { z } from 'zod';
import { eraseRecord, exportRecord } from '../../engine/deletions.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** A person's record in one system: where an erasure or an export starts. */
const RecordRef = z
  .object({
    connectionId: z.string().min(1),
    object: z.string().min(1),
    key: z.string().min(1).max(500),
  })
  .strict();

/**
 * Data-protection requests started in Junction, for admins: erase a person everywhere Junction copied
 * them (right to be forgotten) and export what Junction and the linked systems hold about them (right of
 * access). Both are audited without the personal data itself.
 */
export async function privacyRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const { log } = deps;
  app.post(
    '/api/privacy/erasures',
    {
      schema: {
        tags: ['privacy'],
        summary:
          "Erase a person in every linked system per the mappings' privacy policy, purge their run payloads, audit it (run again to finish a partial one)",
        body: RecordRef,
      },
    },
    async (req) =>
      eraseRecord(req.store, req.body, {
        log,
        connectorFactory: deps.connectorFactory,
        by: req.user?.username ?? 'api',
        ...(deps.importsDir ? { importsDir: deps.importsDir } : {}),
      }),
  );
  app.post(
    '/api/privacy/exports',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Everything Junction and the linked systems hold about a person (JSON), audited',
        body: RecordRef,
      },
    },
    async (req) =>
      exportRecord(req.store, req.body, {
        log,
        connectorFactory: deps.connectorFactory,
        by: req.user?.username ?? 'api',
      }),
  );
}
