import { AuthenticationError, CancelledError, RemoteError } from '../../core/errors.ts';
import type { WriteResult } from '../connector.ts';
import { formVars, MAX_FORM_VARS, MoodleApiError, type MoodleParam } from './client.ts';

/** A failed per-record result. */
export type WriteFailure = Extract<WriteResult, { ok: false }>;

/** A per-record failure. */
export function failure(ref: string, code: string, message: string, retryable: boolean): WriteFailure {
  return { ref, ok: false, code, message, retryable };
}

/** A per-record success. */
export function success(ref: string, externalId: string | number, created: boolean): WriteResult {
  return { ref, ok: true, externalId: String(externalId), created };
}

/** An item of a list parameter and the op it stands for. */
export interface BatchItem<R = unknown> {
  ref: string;
  params: Record<string, MoodleParam>;
  /** What the caller needs back about the item (e.g. the user id it addresses). */
  meta: R;
}

/** Cuts items into calls that stay under `MAX_FORM_VARS` form variables (and `max` items). */
export function chunkByVars<T extends BatchItem>(items: T[], max = 100): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let vars = 0;
  for (const item of items) {
    const n = formVars(item.params);
    if (current.length && (vars + n > MAX_FORM_VARS || current.length >= max)) {
      chunks.push(current);
      current = [];
      vars = 0;
    }
    current.push(item);
    vars += n;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** What an error means for the records of a call: the run ends, or each record fails with it. */
export function failuresOf(refs: string[], err: unknown): WriteFailure[] {
  if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
  if (err instanceof RemoteError)
    return refs.map((ref) => failure(ref, err.code, err.message, err.retryable));
  return refs.map((ref) => failure(ref, 'moodle_error', (err as Error).message, true));
}

/**
 * Runs a batch call on `items`. Moodle's batch functions are all-or-nothing (one transaction, the first
 * bad item's exception is the answer, naming no item on a production site), so a refused batch is split
 * in halves until the refused items stand alone: those fail with Moodle's code, the others go through.
 * `call` resolves to a result per item of its chunk (in order). A transient refusal or an unreachable
 * site fails the whole chunk retryably without splitting (splitting would only multiply the calls).
 */
export async function splitOnRefusal<T extends BatchItem, R>(
  items: T[],
  call: (chunk: T[]) => Promise<R[]>,
  onFailure: (item: T, err: MoodleApiError) => WriteResult = (item, err) =>
    failure(item.ref, err.code, err.message, err.retryable),
): Promise<Map<string, { item: T; result: R } | WriteResult>> {
  const out = new Map<string, { item: T; result: R } | WriteResult>();
  const run = async (chunk: T[]): Promise<void> => {
    try {
      const results = await call(chunk);
      for (const [i, item] of chunk.entries()) out.set(item.ref, { item, result: results[i] as R });
    } catch (err) {
      if (err instanceof MoodleApiError && !err.retryable) {
        if (chunk.length === 1) {
          const only = chunk[0] as T;
          out.set(only.ref, onFailure(only, err));
          return;
        }
        const half = Math.ceil(chunk.length / 2);
        await run(chunk.slice(0, half));
        await run(chunk.slice(half));
        return;
      }
      for (const f of failuresOf(
        chunk.map((c) => c.ref),
        err,
      ))
        out.set(f.ref, f);
    }
  };
  for (const chunk of chunkByVars(items)) await run(chunk);
  return out;
}

/** True for a per-record result (as opposed to a call's answer for the item). */
export function isResult(v: unknown): v is WriteResult {
  return typeof v === 'object' && v !== null && 'ok' in v && 'ref' in v;
}
