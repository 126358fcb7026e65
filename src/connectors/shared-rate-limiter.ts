import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { DailyLimitReachedError } from '../core/errors.ts';
import {
  accountCeiling,
  type Ceiling,
  DAILY_STOP_MS,
  dailyReserve,
  type FairBudget,
  pacingTolerance,
  SHARED_FOR_INTERVALS,
} from './fair-budget.ts';
import type { BudgetReport, LimiterProvider, RateLimiter } from './rate-limiter.ts';
import { UNLIMITED } from './rate-limiter.ts';
import { type WorkspaceShare, workspaceTurn } from './workspace-share.ts';

/** Any Kysely instance: the limiter brings its own tables via `withTables`, and connectors never import the store's schema. */
// biome-ignore lint/suspicious/noExplicitAny: Kysely<Database> is not assignable to any narrower Kysely type
type AnyKysely = Kysely<any>;

type LimiterTables = {
  rate_limits: {
    key: string;
    paused_until: number;
    server_max: number | null;
    stop_until: number;
    stop_message: string | null;
  };
  rate_limit_slots: { id: string; key: string; release_at: number; workspace: string | null };
  rate_limit_parties: {
    key: string;
    party: string;
    served_at: number;
    waiting_until: number;
    workspace: string;
    rate_share: number | null;
  };
};

export interface SharedLimiterOptions {
  /** How long an unanswered request holds its slot before it is presumed lost with its process (default 60 s). */
  inFlightLeaseMs?: number;
  /** Longest sleep between tries while the window is full (default 250 ms). */
  maxWaitMs?: number;
}

/**
 * The rolling-window budget of `fair-budget.ts`, with its slots in PostgreSQL so every worker process
 * shares one budget per outside account. Why PostgreSQL and not Redis: the scale-out mode already requires
 * it, so there is nothing more to run, secure or start in CI; one row lock per request is cheap next
 * to an HTTP call. Times come from the database clock so workers on different machines agree.
 * A slot is freed `intervalMs` after its response, as in the in-process budget, so the remote window
 * never sees more than `max`; a worker killed mid-request holds its slot only until the lease ends.
 *
 * Fairness across processes: a waiting party (task) says so in `rate_limit_parties`; while more than one
 * named party shares the budget, a free slot goes to the waiting party served longest ago (round-robin),
 * and grants are paced `intervalMs / max` apart (GCRA through `paused_until`), so slots free one by one.
 * Parties of several workspaces: the slot goes first to the workspace whose turn it is by share of the
 * window's slots (`workspaceTurn`, each slot names its workspace; migration 0015), then to its party served
 * longest ago.
 */
export function createPostgresBudget(
  database: AnyKysely,
  key: string,
  max: number,
  intervalMs: number,
  o: SharedLimiterOptions = {},
): FairBudget {
  const db = database.withTables<LimiterTables>();
  const lease = o.inFlightLeaseMs ?? 60_000;
  const maxWait = o.maxWaitMs ?? 250;
  // A waiting party polls at least every maxWait: a mark older than a few polls is a waiter that is gone.
  const heartbeat = 4 * maxWait;
  const dbNow = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  // This process's connections' ceilings: the budget takes the highest of those drawing lately (accountCeiling),
  // so no connection lowers it for the others; each connection's own rate has its own budget (its own key).
  const ceilings = new Map<string, Ceiling>();
  let serverMax = Number.POSITIVE_INFINITY;
  // rate_limits.server_max as this process last read or wrote it: another process may have lowered it since.
  let sharedMax: number | null = null;
  let localPause = 0;
  let dailyStop: { until: number; message: string } | null = null;
  let ready: Promise<unknown> | null = null;

  const effectiveMax = () =>
    Math.max(1, Math.min(serverMax, accountCeiling(ceilings, max, Date.now(), intervalMs)));

  const setUp = () =>
    // rate_limit_parties comes with the store's migration 0014.
    (ready ??= db
      .insertInto('rate_limits')
      .values({ key, paused_until: 0 })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute());

  /** Of the waiting parties (longest unserved first), the workspace whose turn it is by share of the window. */
  const workspaceOfTurn = async (
    trx: typeof db,
    waiting: { workspace: string; rate_share: number | null }[],
  ): Promise<string | undefined> => {
    const workspaces = [...new Set(waiting.map((p) => p.workspace))];
    if (workspaces.length < 2) return workspaces[0];
    const held = await trx
      .selectFrom('rate_limit_slots')
      .select((eb) => ['workspace', eb.fn.countAll<string>().as('n')])
      .where('key', '=', key)
      .where('workspace', 'in', workspaces)
      .groupBy('workspace')
      .execute();
    return workspaceTurn(
      workspaces.map((w) => ({
        workspace: w,
        rateShare: waiting.find((p) => p.workspace === w)?.rate_share ?? null,
        held: Number(held.find((h) => h.workspace === w)?.n ?? 0),
      })),
    );
  };

  // Acquires of each party waiting in this process: a grant to one leaves the party marked waiting while
  // others are (else its workspace would look idle until one of them polls, and lose its share's turns).
  const pending = new Map<string, number>();

  const tryTake = (party: string, workspace: string, rateShare: number | null) =>
    db.transaction().execute(async (trx) => {
      // The row lock serialises the processes that compete for this account's budget.
      const row = await trx
        .selectFrom('rate_limits')
        .select(['paused_until', 'server_max', 'stop_until', 'stop_message', dbNow.as('now')])
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const now = Number(row.now);
      sharedMax = row.server_max === null ? null : Number(row.server_max);
      // The server's word as any process of ours last heard it (migration 0017): a lower limit, the day's stop.
      const limit = Math.max(1, Math.min(effectiveMax(), Number(row.server_max ?? Number.POSITIVE_INFINITY)));
      if (now < Number(row.stop_until)) {
        const stop = { until: Date.now() + Number(row.stop_until) - now, message: row.stop_message ?? '' };
        return { id: null, waitMs: 0, stop };
      }
      await trx
        .insertInto('rate_limit_parties')
        .values({
          key,
          party,
          served_at: 0,
          waiting_until: now + heartbeat,
          workspace,
          rate_share: rateShare,
        })
        .onConflict((oc) =>
          oc
            .columns(['key', 'party'])
            .doUpdateSet({ waiting_until: now + heartbeat, workspace, rate_share: rateShare }),
        )
        .execute();
      await trx
        .deleteFrom('rate_limit_slots')
        .where('key', '=', key)
        .where('release_at', '<=', now)
        .execute();
      const live = await trx
        .selectFrom('rate_limit_slots')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('release_at').as('first')])
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      const paused = Number(row.paused_until);
      if (now < paused || Number(live.n) >= limit) {
        const freeAt = Number(live.n) < limit ? now : Number(live.first);
        return { id: null, waitMs: Math.max(paused, freeAt) - now };
      }
      const parties = await trx
        .selectFrom('rate_limit_parties')
        .select(['party', 'served_at', 'waiting_until', 'workspace', 'rate_share'])
        .where('key', '=', key)
        .where((eb) =>
          eb.or([
            eb('waiting_until', '>', now),
            eb('served_at', '>', now - intervalMs * SHARED_FOR_INTERVALS),
          ]),
        )
        .execute();
      const shared = parties.filter((p) => p.party !== '').length > 1;
      if (shared) {
        // Round-robin: the waiting party served longest ago goes first, within the workspace whose turn it is.
        const waiting = parties
          .filter((p) => Number(p.waiting_until) > now)
          .sort((a, b) => Number(a.served_at) - Number(b.served_at) || a.party.localeCompare(b.party));
        const turnOf = await workspaceOfTurn(trx, waiting);
        const turn = waiting.find((p) => p.workspace === turnOf);
        if (turn && turn.party !== party) return { id: null, waitMs: 15 };
      }
      const id = randomUUID();
      await trx
        .insertInto('rate_limit_slots')
        .values({ id, key, release_at: now + lease, workspace })
        .execute();
      await trx
        .updateTable('rate_limit_parties')
        .set({ served_at: now, waiting_until: (pending.get(party) ?? 0) > 1 ? now + heartbeat : 0 })
        .where('key', '=', key)
        .where('party', '=', party)
        .execute();
      if (shared) {
        // GCRA in one column: paused_until is the next grant's theoretical time less the tolerance.
        const spacing = Math.floor(intervalMs / limit);
        const tolerance = Math.floor(pacingTolerance(intervalMs, limit));
        await trx
          .updateTable('rate_limits')
          .set({
            paused_until: sql<number>`greatest(paused_until + ${tolerance}, ${now}) + ${spacing - tolerance}`,
          })
          .where('key', '=', key)
          .execute();
      }
      return { id, waitMs: 0 };
    });

  const stopError = () =>
    new DailyLimitReachedError((dailyStop as { message: string }).message, {
      details: { until: new Date((dailyStop as { until: number }).until).toISOString() },
    });

  /** A 429 or a spent window: every process holds back for `ms`. */
  const pauseFor = (ms: number) => {
    localPause = Math.max(localPause, Date.now() + ms);
    void db
      .updateTable('rate_limits')
      .set({ paused_until: sql<number>`greatest(paused_until, ${dbNow} + ${Math.ceil(ms)})` })
      .where('key', '=', key)
      .execute()
      .catch(() => {}); // this process holds back anyway; others learn from their own 429
  };

  /** Tells every process what the server said (a lower limit, the daily stop). */
  const tell = (word: {
    server_max?: number;
    stop_until?: number | RawBuilder<number>;
    stop_message?: string;
  }) => {
    void db
      .updateTable('rate_limits')
      .set(word)
      .where('key', '=', key)
      .execute()
      .catch(() => {}); // this process follows it anyway; others learn it from their own answers
  };

  const forParty = (party: string, given?: WorkspaceShare | string, source?: string): RateLimiter => {
    // An id alone: a share nobody read (`limitersFor` reads it for calls without a task).
    const ws = typeof given === 'string' ? { id: given, rateShare: null } : given;
    return limiterOf(party, ws, source);
  };

  const limiterOf = (party: string, ws: WorkspaceShare | undefined, source?: string): RateLimiter => ({
    async acquire(signal) {
      const ceiling = source === undefined ? undefined : ceilings.get(source);
      if (ceiling) ceiling.at = Date.now();
      await setUp();
      pending.set(party, (pending.get(party) ?? 0) + 1);
      try {
        for (;;) {
          signal?.throwIfAborted();
          if (dailyStop && Date.now() < dailyStop.until) throw stopError();
          const localWait = localPause - Date.now();
          if (localWait > 0) {
            await sleep(Math.min(localWait, maxWait), undefined, signal ? { signal } : undefined);
            continue;
          }
          const taken = await tryTake(party, ws?.id ?? '', ws?.rateShare ?? null);
          if (taken.stop) {
            dailyStop = taken.stop;
            throw stopError();
          }
          if (taken.id) {
            const id = taken.id;
            let released = false;
            return {
              done() {
                if (released) return;
                released = true;
                void db
                  .updateTable('rate_limit_slots')
                  .set({ release_at: sql<number>`${dbNow} + ${intervalMs}` })
                  .where('id', '=', id)
                  .execute()
                  .catch(() => {}); // the lease frees the slot anyway
              },
            };
          }
          await sleep(
            Math.min(Math.max(taken.waitMs, 10), maxWait),
            undefined,
            signal ? { signal } : undefined,
          );
        }
      } catch (err) {
        // A party that stops waiting must not keep its turn until the mark lapses (unless others of it wait).
        if ((pending.get(party) ?? 0) <= 1)
          void db
            .updateTable('rate_limit_parties')
            .set({ waiting_until: 0 })
            .where('key', '=', key)
            .where('party', '=', party)
            .execute()
            .catch(() => {}); // the mark lapses within a heartbeat anyway
        throw err;
      } finally {
        pending.set(party, (pending.get(party) ?? 1) - 1);
      }
    },
    pause: pauseFor,
    report(r: BudgetReport) {
      // A window of another length (a per-second limit of some endpoint) says nothing about this one.
      const sameWindow = (r.intervalMs ?? intervalMs) === intervalMs;
      // Told when it differs from what this process heard or from what the row says: a limit another process
      // lowered and the server raised again is raised here (else the row kept it low while this process,
      // hearing the same as before, said nothing).
      if (r.max !== undefined && sameWindow && (r.max !== serverMax || r.max !== sharedMax)) {
        serverMax = r.max;
        sharedMax = r.max;
        tell({ server_max: r.max });
      }
      if (r.dailyRemaining !== undefined && r.dailyRemaining <= dailyReserve(effectiveMax(), r.daily)) {
        dailyStop = {
          until: Date.now() + DAILY_STOP_MS,
          message: `the account has ${r.dailyRemaining} of today's ${r.daily ?? '?'} requests left: Junction stops before the daily limit (the rest of the day stays for other integrations; runs go on after the reset)`,
        };
        tell({ stop_until: sql<number>`${dbNow} + ${DAILY_STOP_MS}`, stop_message: dailyStop.message });
      } else if (r.dailyRemaining !== undefined && dailyStop) {
        dailyStop = null;
        tell({ stop_until: 0 });
      }
      // A spent window of any length (Brevo's hour as well as its second) holds every request until it starts over.
      if (r.remaining === 0 && r.resetMs !== undefined) pauseFor(r.resetMs);
      const remaining = r.remaining;
      if (remaining === undefined || !sameWindow) return;
      // The server counts calls of no process of ours (another integration): as many slots as it has less
      // room than our window says are held back for one interval.
      void db
        .transaction()
        .execute(async (trx) => {
          const row = await trx
            .selectFrom('rate_limits')
            .select(dbNow.as('now'))
            .where('key', '=', key)
            .forUpdate()
            .executeTakeFirstOrThrow();
          const now = Number(row.now);
          const live = await trx
            .selectFrom('rate_limit_slots')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('key', '=', key)
            .where('release_at', '>', now)
            .executeTakeFirstOrThrow();
          const foreign = effectiveMax() - Number(live.n) - remaining;
          if (foreign > 0)
            await trx
              .insertInto('rate_limit_slots')
              .values(
                Array.from({ length: foreign }, () => ({
                  id: randomUUID(),
                  key,
                  release_at: now + intervalMs,
                })),
              )
              .execute();
        })
        .catch(() => {}); // a lost report only means the server's next 429 teaches the same
    },
  });

  return {
    forParty,
    setCeiling(source, n) {
      ceilings.set(source, { max: n, at: Date.now() });
    },
  };
}

/** A single caller's view of a shared budget (one party). */
export function createPostgresRateLimiter(
  database: AnyKysely,
  key: string,
  max: number,
  intervalMs: number,
  o: SharedLimiterOptions = {},
): RateLimiter {
  return createPostgresBudget(database, key, max, intervalMs, o).forParty('');
}

/**
 * Budgets shared by every process on the same PostgreSQL database (`junction start`, `junction worker`,
 * `junction run`): one per outside account, however many runs and connections use it. The run service
 * hands this to connectors through their runtime; nothing switches it on globally.
 */
export function createSharedLimiters(database: AnyKysely): LimiterProvider {
  const budgets = new Map<string, FairBudget>();
  return (connectionId, max, intervalMs, share = {}) => {
    if (!max || !Number.isFinite(max)) return UNLIMITED;
    const key = `${share.account ?? connectionId}:${intervalMs}`;
    let budget = budgets.get(key);
    if (!budget) {
      budget = createPostgresBudget(database, key, max, intervalMs);
      budgets.set(key, budget);
    }
    budget.setCeiling(connectionId, max);
    return budget.forParty(share.party ?? '', share.workspace ?? share.workspaceId, connectionId);
  };
}
