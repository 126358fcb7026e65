import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { AssociationPair, AssociationResult } from '../connector.ts';
import type { HubSpotClient } from './client.ts';

/** HubSpot's v4 batch create takes at most 100 inputs. */
const ASSOCIATION_BATCH = 100;

/**
 * Creates default associations in batches of 100 and answers one result per pair: made when the answer
 * lists it, failed with the 207 error that names one of its ids otherwise.
 */
export async function associateHubSpot(
  client: HubSpotClient,
  from: string,
  to: string,
  pairs: AssociationPair[],
): Promise<AssociationResult[]> {
  const out: AssociationResult[] = [];
  for (let i = 0; i < pairs.length; i += ASSOCIATION_BATCH) {
    const batch = pairs.slice(i, i + ASSOCIATION_BATCH);
    let answer: Awaited<ReturnType<HubSpotClient['associate']>>;
    try {
      answer = await client.associate(from, to, batch);
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      const remote = err instanceof RemoteError ? err : null;
      for (const p of batch)
        out.push({
          ...p,
          ok: false,
          code: remote?.code ?? 'hubspot_error',
          message: (err as Error).message,
          retryable: remote?.retryable ?? true,
        });
      continue;
    }
    const made = new Set(answer.results.map((r) => `${r.fromObjectId}/${r.toObjectId}`));
    for (const p of batch) {
      if (made.has(`${p.fromId}/${p.toId}`)) {
        out.push({ ...p, ok: true });
        continue;
      }
      const named = (answer.errors ?? []).find((e) =>
        Object.values(e.context ?? {}).some((ids) => ids.includes(p.fromId) || ids.includes(p.toId)),
      );
      out.push({
        ...p,
        ok: false,
        code: `hubspot_${(named?.category ?? 'no_result').toLowerCase()}`,
        message: named?.message ?? 'HubSpot named neither a result nor an error for this association',
        retryable: !named || named.category === 'RATE_LIMITS',
      });
    }
  }
  return out;
}
