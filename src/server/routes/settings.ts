import { SettingsPatchSchema } from '../../store/repositories/settings.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** Instance settings (admin only, reading too: SMTP hosts and recipients are not for customers). */
export async function settingsRoutes(app: Api, { store }: ServerDeps): Promise<void> {
  app.get(
    '/api/settings',
    {
      config: { role: 'admin' },
      schema: { tags: ['settings'], summary: 'Instance settings (SMTP password shown as set/not set)' },
    },
    async () => store.settings.getPublic(),
  );
  app.patch(
    '/api/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change instance settings (absent fields stay)',
        body: SettingsPatchSchema,
      },
    },
    async (req) => store.settings.update(req.body),
  );
}
