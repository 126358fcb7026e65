import { z } from 'zod';

/** Connection config of a SQL business system. */
export const SqlConfigSchema = z.object({
  /** `sqlite:<file>` or `postgres://user@host:5432/db` (password may live in the secret). */
  url: z.string().min(1),
  /** Rows per page when reading. */
  pageSize: z.number().int().min(1).max(50_000).default(500),
});
export type SqlConfig = z.infer<typeof SqlConfigSchema>;

export const SqlSecretSchema = z.object({ password: z.string().optional() });
export type SqlSecret = z.infer<typeof SqlSecretSchema>;
