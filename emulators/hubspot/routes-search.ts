/** `POST /crm/v3/objects/{objectType}/search`: filterGroups (OR of ANDs), sorts, query and paging. */
import type { FastifyPluginAsync } from 'fastify';
import { validationError } from './errors.ts';
import { objectTypeOf } from './object-writes.ts';
import { parseBody, searchSchema } from './request-schemas.ts';
import { matchesFilter, sortComparator } from './search-filters.ts';
import { toReadObject } from './serialize.ts';
import type { EmulatorState } from './store.ts';

/**
 * Search limits in force since HubSpot's change of 26 August 2024 (developer changelog "Expanded
 * Filtering Capabilities"): 5 groups, 10 filters per group, 25 filters in all; pages of up to 200;
 * no paging past 10 000 results.
 */
export const SEARCH_LIMITS = {
  maxFilterGroups: 5,
  maxFiltersPerGroup: 10,
  maxFilters: 25,
  maxLimit: 200,
  maxResults: 10_000,
} as const;

/** Fastify plugin with the search route of every object type. */
export function searchRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    app.post('/:objectType/search', async (request) => {
      const def = objectTypeOf(request.params);
      const body = parseBody(searchSchema, request.body);
      const groups = body.filterGroups;
      const total = groups.reduce((n, g) => n + g.filters.length, 0);
      if (groups.length > SEARCH_LIMITS.maxFilterGroups) {
        throw validationError(
          `Too many filter groups: ${groups.length}. The limit is ${SEARCH_LIMITS.maxFilterGroups}.`,
        );
      }
      if (groups.some((g) => g.filters.length > SEARCH_LIMITS.maxFiltersPerGroup)) {
        throw validationError(
          `Too many filters in a filter group. The limit is ${SEARCH_LIMITS.maxFiltersPerGroup} per group.`,
        );
      }
      if (total > SEARCH_LIMITS.maxFilters) {
        throw validationError(
          `Too many filters: ${total}. The limit is ${SEARCH_LIMITS.maxFilters} across all groups.`,
        );
      }
      if (body.limit > SEARCH_LIMITS.maxLimit) {
        throw validationError(`limit must be at most ${SEARCH_LIMITS.maxLimit}, got ${body.limit}`);
      }
      const offset = body.after === undefined || body.after === '' ? 0 : Number(body.after);
      if (!Number.isInteger(offset) || offset < 0)
        throw validationError(`Invalid paging cursor after=${body.after}`);
      if (offset >= SEARCH_LIMITS.maxResults) {
        throw validationError(
          `Search results are capped at ${SEARCH_LIMITS.maxResults}; paging past them (after=${offset}) is not allowed. Narrow the filters instead.`,
        );
      }
      for (const f of groups.flatMap((g) => g.filters)) {
        if (!state.registry.get(def.name, f.propertyName)) {
          throw validationError(
            `There was a problem with the request: property ${f.propertyName} does not exist.`,
          );
        }
      }

      const defOf = (name: string) => state.registry.get(def.name, name);
      const query = body.query?.trim().toLowerCase();
      const matches = state
        .store(def.name)
        .list(false)
        .filter(
          (r) =>
            groups.length === 0 ||
            groups.some((g) => g.filters.every((f) => matchesFilter(r, f, defOf(f.propertyName)))),
        )
        .filter(
          (r) => !query || def.queryProperties.some((p) => r.properties[p]?.toLowerCase().includes(query)),
        );
      const sorts = body.sorts.map((s) =>
        typeof s === 'string' ? { propertyName: s, direction: 'ASCENDING' as const } : s,
      );
      matches.sort(sortComparator(sorts, defOf));

      const end = Math.min(offset + body.limit, SEARCH_LIMITS.maxResults);
      const page = matches.slice(offset, end);
      // Like HubSpot, a cursor is offered while more matches exist, even when it points at the cap.
      const hasMore = matches.length > offset + page.length && page.length > 0;
      return {
        total: matches.length,
        results: page.map((r) => toReadObject(r, def, state.registry, body.properties)),
        ...(hasMore ? { paging: { next: { after: String(offset + page.length) } } } : {}),
      };
    });
  };
}
