import { describeSystems } from '../../connectors/registry.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/**
 * `GET /api/systems`: every system Junction can connect to, as its connector describes itself — names in
 * German and English, its mark, how it authenticates, and its config and secret fields as JSON Schema (the
 * dashboard's connection form is generated from them).
 */
export async function systemRoutes(app: Api, _deps: ServerDeps): Promise<void> {
  const systems = describeSystems();
  app.get(
    '/api/systems',
    {
      schema: {
        tags: ['connections'],
        summary: 'The systems Junction connects to, with their connection forms',
      },
    },
    async () => ({ systems }),
  );
}
