import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connector } from '../connectors/connector.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import { runsOnChange } from '../core/schedule.ts';
import type { Task } from '../core/types.ts';
import { lateInserted, pendingChanges, workLeftUndone } from '../engine/changes.ts';
import type { RunService } from '../runs/run-service.ts';
import { TickLoop } from './tick-loop.ts';

/** A change-driven task and the mapping it runs. */
interface Watched {
  task: Task;
  mapping: MappingDefinition;
}

/** A source connection opened for watching, with its notification listener if it has one. */
interface Source {
  /** The connection as it was opened; a saved change reopens it. */
  fingerprint: string;
  connector: Connector;
  objects: string;
  stopListening?: (() => Promise<void>) | undefined;
  /** Notifications reach us: the poll is only the safety net. */
  listening: boolean;
  /** The round the source was last asked in (0: never; a new source is asked at once). */
  askedRound: number;
}

export interface ChangeWatch {
  /** One round: look for changes of every change-driven task and ask for the runs they need. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChangeWatchOptions {
  service: RunService;
  log: Logger;
  /** How often sources are asked (default: the service's `changePollMs`). */
  pollMs?: number;
  /** Only act while this says so (the leader in queue mode). */
  active?: () => boolean;
}

/** Sources that notify are still asked this many polls apart, in case a notification was lost. */
const SAFETY_NET_POLLS = 15;

/**
 * Watches the sources of tasks scheduled `onChange`: a PostgreSQL source with Junction's triggers
 * notifies (LISTEN/NOTIFY), others are asked every few seconds whether a record changed after the
 * task's watermark (one `LIMIT 1` query). Either way the task is asked to run soon through the run
 * service, which coalesces a burst into one run. A change is never lost by this loop: the run reads
 * everything after the watermark, so a notification is only a hint to look now.
 */
export function startChangeWatch(o: ChangeWatchOptions): ChangeWatch {
  const { service, log } = o;
  const store = service.store;
  const sources = new Map<string, Source>();
  const notified = new Set<string>();
  const warned = new Set<string>();
  /**
   * Per task, the rows found unprocessed in the overlap window that a run was asked for: the run reads them,
   * and one it leaves without a link (an update-only mapping's row with no target record) must not start a
   * run on every later notification while it stays in the window.
   */
  const lateStarted = new Map<string, Set<string>>();
  const loop = new TickLoop(o.pollMs ?? service.config.changePollMs, log);
  let round = 0;

  async function watchedTasks(): Promise<Watched[]> {
    const out: Watched[] = [];
    const tasks = (await store.tasks.list()).filter((t) => t.enabled && runsOnChange(t.schedule));
    if (!tasks.length) return out;
    const mappings = new Map((await store.mappings.list()).map((m) => [m.id, m]));
    for (const task of tasks) {
      const mapping = mappings.get(task.mappingId);
      if (mapping) out.push({ task, mapping });
    }
    return out;
  }

  /**
   * Back-off over the task's latest runs that failed or, started by a change, wrote nothing: a failed run
   * leaves the watermark where it was, and a table whose modified column moves when Junction writes its
   * marks back reports its own failing records as changed again. Each such run in a row doubles the wait
   * (10 polls, 20, 40 … at most 15 minutes); a run that wrote something, or one that was interrupted, ends it
   * (but of runs crashing one after the other, all but the earliest count).
   */
  async function heldBack(taskId: string): Promise<boolean> {
    const recent = await store.executions.list({ taskId, limit: 10 });
    let idle = 0;
    const crashed = (e: (typeof recent)[number] | undefined) => e?.error?.code === 'crashed';
    for (const [i, e] of recent.entries()) {
      if (!e.finishedAt) break;
      // A run interrupted (its process killed, the hub stopped) was not refused: what it was to write is
      // still to do, and a change noted before the crash must not wait out a back-off (10 polls and more).
      // Runs that crash one after the other (a record that kills its worker) are held back, as failures are:
      // else each poll started the next one.
      if (crashed(e) && crashed(recent[i + 1])) {
        idle++;
        continue;
      }
      if (crashed(e) || e.status === 'cancelled') break;
      const wrote = e.counts.created + e.counts.updated + e.counts.deleted;
      if (e.status === 'failed' || (e.trigger === 'change' && wrote === 0)) idle++;
      else break;
    }
    const last = recent[0]?.finishedAt;
    if (!idle || !last) return false;
    const wait = Math.min(service.config.changePollMs * 10 * 2 ** (idle - 1), 15 * 60_000);
    return Date.now() - new Date(last).getTime() < wait;
  }

  /** The task runs, here or in another process, or is about to (a change-driven run waiting to start). */
  async function runningNow(taskId: string): Promise<boolean> {
    if (service.running().includes(taskId)) return true;
    return (await store.executions.list({ taskId, status: 'running', limit: 1 })).length > 0;
  }

  async function closeSource(id: string) {
    const s = sources.get(id);
    sources.delete(id);
    await s?.stopListening?.().catch(() => {});
    await s?.connector.close?.().catch(() => {});
  }

  /** The connection's connector, (re)opened when the connection or the watched objects changed. */
  async function sourceOf(connectionId: string, objects: string[]): Promise<Source> {
    const connection = await store.connections.get(connectionId);
    // A changed secret (a new password) must reopen the listener too; only its hash is kept.
    const secret = createHash('sha256')
      .update(JSON.stringify(connection.secret ?? null))
      .digest('hex');
    const fingerprint = JSON.stringify([connection.config, connection.secretDestination ?? null, secret]);
    const key = objects.sort().join('\n');
    const known = sources.get(connectionId);
    if (known && known.fingerprint === fingerprint && known.objects === key) return known;
    if (known) await closeSource(connectionId);
    const connector = await service.openConnector(connectionId);
    const source: Source = { fingerprint, connector, objects: key, listening: false, askedRound: 0 };
    sources.set(connectionId, source);
    if (connector.watchChanges) {
      try {
        source.stopListening = await connector.watchChanges(
          objects,
          (object) => {
            notified.add(`${connectionId}\n${object}`);
            loop.poke();
          },
          (err) => {
            log.warn(
              { err: err.message, connectionId },
              'change notifications lost; polling until they are back',
            );
            if (sources.get(connectionId) === source) void closeSource(connectionId);
          },
        );
        source.listening = true;
      } catch (err) {
        log.debug({ err, connectionId }, 'the source does not notify changes; it is polled');
      }
    }
    return source;
  }

  async function tick() {
    if (o.active && !o.active()) {
      // A former leader lets its sources go (their LISTEN connections with them): the new leader watches.
      for (const id of [...sources.keys()]) await closeSource(id);
      return;
    }
    round++;
    const watched = await watchedTasks();
    const byConnection = new Map<string, Watched[]>();
    for (const w of watched) {
      const id = w.mapping.source.connectionId;
      byConnection.set(id, [...(byConnection.get(id) ?? []), w]);
    }
    for (const id of [...sources.keys()]) if (!byConnection.has(id)) await closeSource(id);
    const signals = new Set(notified);
    notified.clear();
    for (const [connectionId, list] of byConnection) {
      let source: Source;
      try {
        source = await sourceOf(connectionId, [...new Set(list.map((w) => w.mapping.source.object))]);
      } catch (err) {
        log.warn({ err, connectionId }, 'a change-driven source could not be opened');
        continue;
      }
      // A source that notifies is asked when first opened (changes made while no one listened) and
      // then every SAFETY_NET_POLLS rounds; one that cannot notify, every round.
      const firstLook = !source.askedRound;
      const ask = !source.listening || firstLook || round - source.askedRound >= SAFETY_NET_POLLS;
      if (ask) source.askedRound = round;
      for (const { task, mapping } of list) {
        // A notification says "look now", not "run": the run's own write-back marks notify too, and
        // only the source can say whether a record after the watermark is there.
        const signal = `${connectionId}\n${mapping.source.object}`;
        const signalled = signals.has(signal);
        // While the task runs, its watermark is the old one: asking now would see the records the run is
        // reading. Its next round asks again, and a notification waits for it.
        if (await runningNow(task.id)) {
          // Kept for the round after the run (which the end of the run brings soon: the poll).
          if (signalled) notified.add(signal);
          continue;
        }
        let changed: boolean | null = false;
        let late: string[] = [];
        if (ask || signalled) {
          try {
            changed = await pendingChanges(store, task, mapping, source.connector);
          } catch (err) {
            log.warn({ err, taskId: task.id }, 'could not ask the source for changes');
            changed = null;
          }
          // A notification with nothing after the watermark: a run's own marks, or a row committed late.
          if (changed === false && signalled) {
            late = await lateInserted(store, task, mapping, source.connector, lateStarted.get(task.id)).catch(
              (err) => {
                log.warn({ err, taskId: task.id }, 'could not look for rows committed late');
                return [];
              },
            );
            changed = late.length > 0;
          }
          if (changed === null && signalled) changed = true;
          if (changed === null && !source.listening && !warned.has(task.id)) {
            warned.add(task.id);
            log.warn(
              { taskId: task.id },
              'the task runs on changes, but its source can neither notify nor be asked (an incremental task of one source with a modified column can): only webhooks and its interval run it',
            );
          }
          // Such a source's changes come by webhook; one taken just before the hub stopped (or a run it
          // started and that died) is looked for once after the start, as nothing else would run it.
          if (changed === null && firstLook)
            changed = await workLeftUndone(store, task, mapping).catch((err) => {
              log.warn({ err, taskId: task.id }, 'could not look for work a stopped hub left undone');
              return null;
            });
        }
        if (changed && !(await heldBack(task.id))) {
          await service
            .runSoon(task.id, 'change')
            .catch((err) =>
              log.error({ err, taskId: task.id }, 'a change-driven run could not be asked for'),
            );
          if (late.length) {
            // Bounded: past 10 000 keys the set starts over (at worst one more run).
            const keys = lateStarted.get(task.id);
            const kept = keys && keys.size + late.length <= 10_000 ? keys : new Set<string>();
            for (const k of late) kept.add(k);
            lateStarted.set(task.id, kept);
          }
        }
      }
    }
  }

  loop.start(tick);
  return {
    tick,
    async stop() {
      loop.halt();
      await loop.done();
      await Promise.allSettled([...sources.keys()].map(closeSource));
    },
  };
}
