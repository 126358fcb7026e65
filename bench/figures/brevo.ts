import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { createPeopleDb, silent, touchPeople } from '../fixtures.ts';
import type { Figure } from '../report.ts';

const KEY = 'xkeysib-bench';
/** Brevo's contacts budget on common plans: one call per contact can never go faster than this. */
const PER_SECOND = 10;
// Brevo's import takes its time: the emulator keeps each import queued for 1 s and in process for
// 1 s + 0.5 ms a row (2 s for a page of 2 000), slower than the emulator's default, so the figure does
// not flatter the bulk path.
const IMPORT_TIMING = { queuedMs: 1000, processMs: 1000, perRowMs: 0.5 };

function config(businessUrl: string, brevoUrl: string, mode: 'incremental' | 'full' = 'incremental') {
  return `
connections:
  - { id: erp, system: sql, config: { url: "${businessUrl}", pageSize: 2000 } }
  - { id: brevo, system: brevo, config: { baseUrl: "${brevoUrl}/v3", requestsPerSecond: ${PER_SECOND} }, secret: { apiKey: ${KEY} } }
mappings:
  - id: newsletter
    name: Newsletter
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: brevo, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: attributes.FIRSTNAME, from: first_name, transform: [{ type: trim }] }
      - { target: attributes.LASTNAME, from: last_name }
      - { target: listIds, value: 1 }
    writeBack: { externalId: hubspot_id, lastSync: sync_last, lastSuccess: sync_last_success, status: sync_status, remark: sync_remark }
tasks:
  - { id: newsletter, mapping: newsletter, mode: ${mode} }
`;
}

/**
 * Brevo at batch speed (issue 23), on one data set against the emulator at 10 requests/s: the initial
 * sync against the one-call-per-contact ceiling, a no-op re-sync (full re-read) and a 1 % change.
 */
export async function brevoFigures(o: { people: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-brevo-'));
  const businessFile = join(dir, 'business.db');
  createPeopleDb(businessFile, o.people);
  const brevo = createBrevoEmulator({
    apiKeys: [KEY],
    rateLimit: { max: PER_SECOND, intervalMs: 1000 },
    importTiming: IMPORT_TIMING,
  });
  brevo.state.createList('Newsletter');
  const store = await openStore({ dataDir: join(dir, 'hub'), secretBox: createSecretBox(randomBytes(32)) });
  try {
    await applyConfig(store, parseConfigText(config(`sqlite:${businessFile}`, await brevo.listen())));
    const t0 = performance.now();
    const initial = await runTask('newsletter', { store, log: silent });
    const secs = (performance.now() - t0) / 1000;
    const calls = brevo.stats.total;
    const imports = brevo.stats.byRoute['POST /v3/contacts/import'] ?? 0;
    const limited = brevo.stats.rateLimited;
    const perSecond = initial.counts.created / secs;
    const naiveSecs = o.people / PER_SECOND;
    const onList = brevo.state.all().filter((c) => c.listIds.includes(1)).length;

    const task = await store.tasks.get('newsletter');
    await store.tasks.save({ ...task, mode: 'full' });
    const beforeNoop = brevo.stats.total;
    const noop = await runTask('newsletter', { store, log: silent });
    const noopCalls = brevo.stats.total - beforeNoop;
    await store.tasks.save({ ...task, mode: 'incremental' });

    const changed = Math.round(o.people / 100);
    touchPeople(
      businessFile,
      Array.from({ length: changed }, (_, i) => 1 + Math.floor((i * o.people) / changed)),
    );
    const beforeDelta = brevo.stats.total;
    const delta = await runTask('newsletter', { store, log: silent });
    const deltaCalls = brevo.stats.total - beforeDelta;

    const ratio = perSecond / PER_SECOND;
    return [
      {
        name: 'brevo_initial_sync_vs_one_call_per_contact',
        value: +ratio.toFixed(1),
        goal: '>= 20, no 429, every person created on the list',
        ok: ratio >= 20 && limited === 0 && initial.counts.created === o.people && onList === o.people,
        detail: `${initial.counts.created} of ${o.people} people in ${secs.toFixed(1)} s = ${perSecond.toFixed(0)}/s; one call per contact at ${PER_SECOND} req/s needs ≥ ${naiveSecs.toFixed(0)} s (${PER_SECOND}/s). Junction made ${calls} calls (${imports} imports; ${(calls / PER_SECOND).toFixed(1)} s of rate budget, the rest is Brevo importing: ${IMPORT_TIMING.queuedMs} ms queued + ${IMPORT_TIMING.processMs} ms + ${IMPORT_TIMING.perRowMs} ms a row in process), ${limited} answered 429`,
      },
      {
        name: 'brevo_noop_resync_calls',
        value: noopCalls,
        goal: '0',
        ok: noopCalls === 0 && noop.counts.unchanged === o.people,
        detail: `${noop.counts.unchanged} unchanged of ${noop.counts.read} read (full re-read)`,
      },
      {
        name: 'brevo_one_percent_change_calls_per_contact',
        value: +(deltaCalls / changed).toFixed(4),
        goal: '<= 0.05, every change written',
        ok: deltaCalls / changed <= 0.05 && delta.counts.updated === changed,
        detail: `${changed} changed → ${delta.counts.updated} updated in ${deltaCalls} calls (batch updates of 100)`,
      },
    ];
  } finally {
    await store.close();
    await brevo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
