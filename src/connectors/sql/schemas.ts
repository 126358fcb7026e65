import { z } from 'zod';

/** Connection config of a SQL business system. */
export const SqlConfigSchema = z.object({
  /**
   * `sqlite:<file>`, `postgres://user@host:5432/db` or `mysql://user@host:3306/db` (also `mariadb://…`);
   * the password may live in the secret.
   */
  url: z
    .string()
    .min(1)
    .meta({
      label: { de: 'Datenbank-URL', en: 'Database URL' },
      help: {
        de: 'sqlite:<Datei>, postgres://benutzer@host:5432/db oder mysql://benutzer@host:3306/db; das Passwort separat',
        en: 'sqlite:<file>, postgres://user@host:5432/db or mysql://user@host:3306/db; the password separately',
      },
    }),
  /** Rows per page when reading. */
  pageSize: z.number().int().min(1).max(50_000).default(500),
  /**
   * An incremental read starts this many seconds before the last run's position. Rows whose modified time
   * was set before a slow transaction committed (PostgreSQL's now() is the transaction's start) would
   * otherwise be missed; re-read rows are unchanged and cost no write.
   */
  overlapSeconds: z.number().int().min(0).max(86_400).default(60),
});
export type SqlConfig = z.infer<typeof SqlConfigSchema>;

export const SqlSecretSchema = z.object({
  password: z
    .string()
    .optional()
    .meta({ label: { de: 'Datenbank-Passwort', en: 'Database password' } }),
});
export type SqlSecret = z.infer<typeof SqlSecretSchema>;
