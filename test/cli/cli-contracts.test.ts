import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import {
  CLI,
  isWriteCall,
  type JunctionResult,
  type LoggedRequest,
  logRequests,
  runJunction,
  runJunctionOnTerminal,
} from './junction-process.ts';

const TOKEN = 'pat-na1-cli-contracts';
const COUNT_KEYS = ['read', 'filtered', 'created', 'updated', 'unchanged', 'deleted', 'failed'] as const;

/** People of canton BE (id ≡ 2 mod 8) up to this id get an e-mail the mapping's `email` transform refuses. */
const BROKEN_UP_TO = 260;
const people = generatePeople(400).map((p) =>
  p.canton === 'BE' && p.id <= BROKEN_UP_TO ? { ...p, email: `kein-mail-${p.id}` } : p,
);
const active = (canton: string) => people.filter((p) => p.status === 'active' && p.canton === canton);
/** Keys of the BE records that fail, in the order the run reads them (by id). */
const FAILING_KEYS = active('BE')
  .filter((p) => p.id <= BROKEN_UP_TO)
  .map((p) => String(p.id));
const BE_FAILING = FAILING_KEYS.length;

function config(o: { businessUrl: string; hubspotUrl: string }) {
  const mapping = (id: string, object: string, filter: string) => `
  - id: ${id}
    name: ${id}
    source: { connectionId: erp, object: ${object}, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot, object: contacts }
    matchKey: { target: email }
    filter: "${filter}"
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name }
    writeBack: { externalId: hubspot_id, status: sync_status }`;
  return `
connections:
  - { id: erp, name: ERP, system: sql, config: { url: "${o.businessUrl}", pageSize: 50 } }
  - id: hubspot
    name: HubSpot
    system: hubspot
    config: { baseUrl: "${o.hubspotUrl}", requestsPer10s: 1000 }
    secret: { accessToken: "\${TEST_HUBSPOT_TOKEN}" }
mappings:${mapping('zh-contacts', 'people', "status = 'active' and canton = 'ZH'")}${mapping(
    'be-contacts',
    'people',
    "status = 'active' and canton = 'BE'",
  )}${mapping('missing-table', 'no_such_table', "status = 'active'")}
tasks:
  - { id: zh-sync, name: ZH people, mapping: zh-contacts, schedule: { everyMinutes: 15 } }
  - { id: be-sync, name: BE people, mapping: be-contacts, mode: full }
  - { id: broken-sync, name: Broken source, mapping: missing-table, enabled: false }
`;
}

/** stdout of a `--json` command: exactly one JSON object and nothing else. */
function onlyJson(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `stdout holds one line, got:\n${stdout}`);
  const parsed: unknown = JSON.parse(lines[0] as string);
  assert.ok(parsed && typeof parsed === 'object' && !Array.isArray(parsed), 'stdout is one JSON object');
  return parsed as Record<string, unknown>;
}

interface Report {
  executionId: string | null;
  status: string;
  dryRun: boolean;
  counts: Record<(typeof COUNT_KEYS)[number], number>;
  failures: { key: string; code: string; message: string }[];
}

/** Checks the shape the README promises for `junction run --json` and returns the report. */
function runReport(stdout: string): Report {
  const r = onlyJson(stdout) as unknown as Report;
  for (const key of ['executionId', 'status', 'dryRun', 'counts', 'failures'])
    assert.ok(key in r, `the report has ${key}`);
  assert.deepEqual(Object.keys(r.counts).sort(), [...COUNT_KEYS].sort());
  for (const k of COUNT_KEYS) assert.equal(typeof r.counts[k], 'number', `counts.${k} is a number`);
  assert.ok(Array.isArray(r.failures));
  for (const f of r.failures) {
    assert.deepEqual(Object.keys(f).sort(), ['code', 'key', 'message']);
    assert.ok(f.key && f.code && f.message, `failure ${JSON.stringify(f)} names key, code and message`);
  }
  return r;
}

/** Every non-empty line of a stream, each parsed as JSON (fails on the first that is not). */
function jsonLines(text: string): Record<string, unknown>[] {
  const parsed: Record<string, unknown>[] = [];
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    try {
      parsed.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      assert.fail(`stderr line is not JSON: ${line}`);
    }
  }
  return parsed;
}

describe('junction CLI contracts (SQLite store, HubSpot emulator)', () => {
  let business: TempDatabase & { dir: string };
  let data: string;
  let hs: HubSpotEmulator;
  let requests: LoggedRequest[];
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    JUNCTION_DATA_DIR: data,
    DATABASE_URL: '',
    // The business database is a SQLite file: the SQL connector may only open files under this folder.
    JUNCTION_FILES_DIR: business.dir,
    TEST_HUBSPOT_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
    LOG_FORMAT: '',
    ...extra,
  });
  const junction = (args: string[], extra?: NodeJS.ProcessEnv) => runJunction(args, env(extra));
  /** Rows of Junction's own store (the CLI's SQLite file), read between commands. */
  const storeCount = (table: string) => {
    const db = new Database(join(data, 'junction.db'), { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const marked = () =>
    withBusinessDb(business, async (db) =>
      (
        await db
          .selectFrom('people')
          .select(['id', 'hubspot_id', 'sync_status'])
          .where((eb) => eb.or([eb('hubspot_id', 'is not', null), eb('sync_status', 'is not', null)]))
          .execute()
      ).map((r) => `${r.id}:${r.hubspot_id}:${r.sync_status}`),
    );

  before(async () => {
    business = await createTempSqlite();
    await createPeopleTable(business, people);
    hs = createHubSpotEmulator({ tokens: [TOKEN], rateLimit: { max: Number.POSITIVE_INFINITY } });
    requests = logRequests(hs);
    const hubspotUrl = await hs.listen();
    data = mkdtempSync(join(tmpdir(), 'junction-cli-contracts-'));
    const file = join(data, 'junction.yaml');
    writeFileSync(file, config({ businessUrl: business.url, hubspotUrl }));
    const applied = await junction(['apply', file]);
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(applied.stdout, /applied 2 connections, 3 mappings, 3 tasks/);
    // `apply` asked HubSpot for its properties to check the mappings; the tests count what comes after.
    assert.ok(requests.every((r) => r.method === 'GET' && r.url.startsWith('/crm/v3/properties/')));
    requests.length = 0;
  });
  after(async () => {
    await hs?.close();
    await business?.drop();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  test('usage mistakes exit 64 with the usage on stderr, never internal_error; a missing file is named', async () => {
    const cases = [[], ['run'], ['run', 'zh-sync', '--jsn'], ['frobnicate']];
    const [missing, worker, runNow, ...results] = await Promise.all([
      junction(['apply', '/nope.yaml']),
      junction(['worker']),
      junction(['run-now', 'zh-sync']),
      ...cases.map((args) => junction(args)),
    ]);
    cases.forEach((args, i) => {
      const res = results[i] as JunctionResult;
      const what = `junction ${args.join(' ')}`;
      assert.equal(res.status, 64, `${what} exits 64 (stderr: ${res.stderr})`);
      assert.match(res.stderr, /Usage:\n\s+junction start/, `${what} prints the usage on stderr`);
      assert.doesNotMatch(res.stderr + res.stdout, /internal_error/, `${what} is no internal error`);
      assert.equal(res.stdout, '', `${what} leaves stdout to the command's output`);
    });
    assert.match(results[1]?.stderr ?? '', /usage: junction run <task> \[--dry-run\] \[--json\]/);
    assert.match(results[2]?.stderr ?? '', /Unknown option '--jsn'/, 'the unknown option is named');
    assert.match(results[3]?.stderr ?? '', /unknown command 'frobnicate'/);

    assert.equal(missing?.status, 1);
    assert.match(missing?.stderr ?? '', /file not found: \/nope\.yaml/);
    assert.doesNotMatch(missing?.stderr ?? '', /internal_error/);
    // Commands that need PostgreSQL say so on SQLite, with a code the user can act on.
    for (const [what, res] of [
      ['worker', worker],
      ['run-now', runNow],
    ] as const) {
      assert.equal(res?.status, 1, `junction ${what} on SQLite fails`);
      assert.match(res?.stderr ?? '', /needs PostgreSQL/, `junction ${what} says why`);
      assert.doesNotMatch(res?.stderr ?? '', /internal_error/, `junction ${what} is no internal error`);
    }
    assert.equal(requests.length, 0, 'no usage mistake reached HubSpot');
  });

  test('`apply --workspace <new id>` refused for an id another workspace holds leaves no workspace behind; accepted, it makes it', async () => {
    const workspaceIds = () => {
      const db = new Database(join(data, 'junction.db'), { readonly: true });
      try {
        return (db.prepare('SELECT id FROM workspaces ORDER BY id').all() as { id: string }[]).map(
          (r) => r.id,
        );
      } finally {
        db.close();
      }
    };
    const before = workspaceIds();
    const fileWith = (id: string) => {
      const file = join(data, `fresh-${id}.yaml`);
      writeFileSync(
        file,
        `connections:\n  - { id: ${id}, system: sql, config: { url: "${business.url}" } }\n`,
      );
      return file;
    };
    // erp belongs to the default workspace.
    const refused = await junction(['apply', fileWith('erp'), '--workspace', 'fresh']);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /id_taken/);
    assert.deepEqual(workspaceIds(), before);
    const applied = await junction(['apply', fileWith('fresh-erp'), '--workspace', 'fresh']);
    assert.equal(applied.status, 0, applied.stderr);
    assert.deepEqual(workspaceIds(), [...before, 'fresh'].sort());
    // A new workspace is said, with its limits, so a mistyped id does not pass unnoticed.
    assert.match(
      applied.stdout,
      /created workspace 'fresh' \(intervals 10–45 min, no limit on concurrent runs;/,
    );
    const again = await junction(['apply', fileWith('fresh-erp'), '--workspace', 'fresh']);
    assert.doesNotMatch(again.stdout, /created workspace/);
  });

  test('a bad `--workspace` is one line on stderr naming the workspaces there are, no usage text: not an id exits 64, an unknown one 1', async () => {
    const file = join(data, 'bad-workspace.yaml');
    writeFileSync(
      file,
      `connections:\n  - { id: bad-ws-erp, system: sql, config: { url: "${business.url}" } }\n`,
    );
    const [tasksUnknown, tasksNotId, applyNotId] = await Promise.all([
      junction(['tasks', '--workspace', 'nope']),
      junction(['tasks', '--workspace', 'Nope']),
      junction(['apply', file, '--workspace', 'Not An Id']),
    ]);
    for (const [what, res, status, said] of [
      [
        'tasks --workspace nope',
        tasksUnknown,
        1,
        /^error \(not_found\): workspace 'nope' does not exist; existing workspaces: default, fresh$/,
      ],
      [
        'tasks --workspace Nope',
        tasksNotId,
        64,
        /^error \(invalid_option\): --workspace 'Nope' is not a workspace id \(lower-case letters, digits, - and _\); existing workspaces: default, fresh$/,
      ],
      [
        'apply --workspace "Not An Id"',
        applyNotId,
        64,
        /^error \(invalid_option\): --workspace 'Not An Id' is not/,
      ],
    ] as const) {
      assert.equal(res.status, status, `${what} exits ${status} (stderr: ${res.stderr})`);
      const lines = res.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${what}: one line, no usage text:\n${res.stderr}`);
      assert.match(lines[0] ?? '', said, what);
      assert.equal(res.stdout, '', `${what} prints nothing on stdout`);
    }
    assert.equal(storeCount("connections WHERE id = 'bad-ws-erp'"), 0, 'the refused apply saved nothing');
  });

  /** The real run after the dry run: its report also serves the failure-list test. */
  let firstRun: JunctionResult;

  test('`junction triggers` needs install|remove, a connection and a table; a database that cannot notify says so', async () => {
    const [bare, sqlite] = await Promise.all([
      junction(['triggers', 'install', 'erp']),
      junction(['triggers', 'install', 'erp', 'people']),
    ]);
    assert.equal(bare.status, 64, bare.stderr);
    assert.match(bare.stderr, /usage: junction triggers install\|remove <connection> <table>/);
    assert.equal(sqlite.status, 1, sqlite.stderr);
    assert.match(
      sqlite.stderr,
      /error \(change_notifications_unsupported\): sqlite:.* cannot notify changes/,
    );
  });

  test('a dry run writes nothing anywhere and its counts equal those of the real run that follows', async () => {
    const writesBefore = hs.stats.writes;
    const seenBefore = requests.length;
    const dry = await junction(['run', 'be-sync', '--dry-run', '--json']);
    assert.equal(dry.status, 2, `some records would fail, so exit 2 (stderr: ${dry.stderr})`);
    const plan = runReport(dry.stdout);
    assert.equal(plan.dryRun, true);
    assert.equal(plan.executionId, null, 'a dry run starts no execution');
    assert.equal(plan.counts.failed, BE_FAILING);
    assert.equal(plan.counts.created, active('BE').length - BE_FAILING);

    assert.equal(hs.stats.writes, writesBefore, 'HubSpot received no write call');
    assert.deepEqual(
      requests.slice(seenBefore).filter(isWriteCall),
      [],
      'the emulator log holds no call that changes data',
    );
    assert.equal(hs.state.all('contacts').length, 0, 'no contact exists');
    assert.equal(storeCount('sync_links'), 0, 'no sync link was recorded');
    assert.equal(storeCount('executions'), 0, 'no execution was recorded');
    assert.equal(storeCount('execution_items'), 0);
    assert.deepEqual(await marked(), [], 'no source row was marked');

    firstRun = await junction(['run', 'be-sync', '--json']);
    assert.equal(firstRun.status, 2, `some records failed, so exit 2 (stderr: ${firstRun.stderr})`);
    const done = runReport(firstRun.stdout);
    assert.equal(done.dryRun, false);
    assert.equal(done.status, 'warning');
    assert.match(String(done.executionId), /\S/);
    assert.deepEqual(done.counts, plan.counts, 'the dry run predicted the real run');
    assert.equal(hs.state.all('contacts').length, done.counts.created, 'the real run did write');
    assert.equal(storeCount('executions'), 1);
    assert.ok(storeCount('sync_links') >= done.counts.created, 'the real run did record its links');
    assert.equal((await marked()).length, active('BE').length, 'the real run did mark its rows');
  });

  test('`run --json` with failed records exits 2 and lists the first 20 with key, code and message', () => {
    const r = runReport(firstRun.stdout);
    assert.ok(r.counts.failed > 20, 'more failures than the report lists');
    assert.equal(r.counts.failed, BE_FAILING);
    assert.equal(r.failures.length, 20, 'the first 20 failures');
    assert.deepEqual(
      r.failures.map((f) => f.key),
      FAILING_KEYS.slice(0, 20),
      'the first 20 failed records, in the order they were read',
    );
    for (const f of r.failures) assert.equal(f.code, 'invalid_email');
    assert.match(r.failures[0]?.message ?? '', /mail/i);
  });

  test('`run --json` exits 0 when every record went through, 1 when the run failed or could not start', async () => {
    const [ok, broken, unknown] = await Promise.all([
      junction(['run', 'zh-sync', '--json']),
      junction(['run', 'broken-sync', '--json']),
      junction(['run', 'no-such-task', '--json']),
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    const r = runReport(ok.stdout);
    assert.equal(r.status, 'succeeded');
    assert.equal(r.dryRun, false);
    assert.equal(r.counts.created, active('ZH').length);
    assert.equal(r.counts.failed, 0);
    assert.deepEqual(r.failures, []);

    assert.equal(broken.status, 1, broken.stderr);
    const b = runReport(broken.stdout);
    assert.equal(b.status, 'failed', 'a failed run still prints its one JSON object');
    assert.equal(b.dryRun, false);
    assert.doesNotMatch(broken.stderr, /internal_error/);

    assert.equal(unknown.status, 1, unknown.stderr);
    const u = runReport(unknown.stdout) as Report & { error?: { code: string; message: string } };
    assert.equal(u.status, 'failed', 'a run that cannot start still prints its one JSON object');
    assert.equal(u.executionId, null);
    assert.equal(u.error?.code, 'not_found');
    assert.match(u.error?.message ?? '', /no-such-task/);
  });

  /** stderr of commands run without a terminal, for the log-format test. */
  const plainStderr: string[] = [];

  test('the human summary lists the first 10 failed records and how many more there are', async () => {
    for (const dryRun of [false, true]) {
      const res = await junction(['run', 'be-sync', ...(dryRun ? ['--dry-run'] : [])], {
        LOG_FORMAT: dryRun ? 'json' : '',
      });
      plainStderr.push(res.stderr);
      assert.equal(res.status, 2, res.stderr);
      const lines = res.stdout.split('\n');
      const head = lines.findIndex((l) => l.trim() === (dryRun ? 'would fail:' : 'failed records:'));
      assert.ok(head >= 0, `the summary has a list of failed records:\n${res.stdout}`);
      const listed = lines.slice(head + 1, head + 11);
      for (const l of listed) assert.match(l, /^\s+\d+\s+invalid_email: .*mail/i, 'key  code: message');
      assert.deepEqual(
        listed.map((l) => l.trim().split(/\s+/)[0]),
        FAILING_KEYS.slice(0, 10),
        'the first 10 failed records',
      );
      assert.equal(lines[head + 11]?.trim(), `… and ${BE_FAILING - 10} more`);
      const unchanged = active('BE').length - BE_FAILING;
      const said = dryRun
        ? [
            /would create 0\b/,
            /update 0\b/,
            new RegExp(`leave unchanged ${unchanged}\\b`),
            new RegExp(`fail ${BE_FAILING}\\b`),
          ]
        : [
            /created 0\b/,
            /updated 0\b/,
            new RegExp(`unchanged ${unchanged}\\b`),
            new RegExp(`failed ${BE_FAILING}\\b`),
          ];
      for (const words of said) assert.match(lines[1] ?? '', words, 'the counts line');
    }
  });

  test('`junction tasks --json` lists each task with mapping, schedule, enabled, last run and next run; `junction tasks` aligns them under a header', async () => {
    const [json, plain] = await Promise.all([junction(['tasks', '--json']), junction(['tasks'])]);
    assert.equal(json.status, 0, json.stderr);
    const { tasks } = onlyJson(json.stdout) as {
      tasks: {
        task: string;
        mapping: string;
        schedule: unknown;
        enabled: boolean;
        lastRun: { executionId: string; startedAt: string | null; status: string } | null;
        nextRun: string | null;
      }[];
    };
    const byId = new Map(tasks.map((t) => [t.task, t]));
    assert.deepEqual([...byId.keys()].sort(), ['be-sync', 'broken-sync', 'zh-sync']);
    for (const t of tasks)
      for (const key of ['mapping', 'schedule', 'enabled', 'lastRun', 'nextRun'])
        assert.ok(key in t, `${t.task} has ${key}`);
    const zh = byId.get('zh-sync');
    assert.equal(zh?.mapping, 'zh-contacts');
    assert.equal((zh as { workspace?: string } | undefined)?.workspace, 'default');
    assert.deepEqual(zh?.schedule, { everyMinutes: 15 });
    assert.equal(zh?.enabled, true);
    assert.equal(zh?.lastRun?.status, 'succeeded');
    assert.ok(zh?.lastRun?.startedAt && !Number.isNaN(Date.parse(zh.lastRun.startedAt)));
    assert.ok(zh?.nextRun && Date.parse(zh.nextRun) > Date.parse(zh.lastRun?.startedAt ?? ''));
    const be = byId.get('be-sync');
    assert.equal(be?.mapping, 'be-contacts');
    assert.equal(be?.schedule, null);
    assert.equal(be?.lastRun?.status, 'warning');
    assert.equal(be?.nextRun, null, 'a task without a schedule has no next run');
    const broken = byId.get('broken-sync');
    assert.equal(broken?.enabled, false);
    assert.equal(broken?.lastRun?.status, 'failed');

    assert.equal(plain.status, 0, plain.stderr);
    const [header, ...rows] = plain.stdout.trimEnd().split('\n');
    const columns = ['TASK', 'MAPPING', 'SCHEDULE', 'ENABLED', 'LAST RUN', 'STATUS', 'NEXT RUN'];
    assert.match(header ?? '', new RegExp(`^${columns.join(' {2,}')}$`), 'the header line');
    const starts = columns.map((c) => (header ?? '').indexOf(c));
    // Every cell starts exactly under its column's title, after at least two spaces.
    const cells = (row: string) =>
      starts.map((s, i) => {
        assert.ok(s === 0 || row.slice(s - 2, s) === '  ', `${columns[i]} is aligned in "${row}"`);
        assert.notEqual(row[s], ' ', `${columns[i]} starts under its title in "${row}"`);
        return row.slice(s, starts[i + 1] ?? row.length).trim();
      });
    const byTask = new Map(rows.map((r) => [cells(r)[0], cells(r)]));
    assert.equal(byTask.size, 3);
    const localTime = (iso: string | null | undefined) => {
      const d = new Date(iso ?? '');
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
    };
    assert.deepEqual(byTask.get('zh-sync'), [
      'zh-sync',
      'zh-contacts',
      'every 15 min',
      'yes',
      localTime(zh?.lastRun?.startedAt),
      'succeeded',
      localTime(zh?.nextRun),
    ]);
    assert.deepEqual(byTask.get('be-sync'), [
      'be-sync',
      'be-contacts',
      'manual',
      'yes',
      localTime(be?.lastRun?.startedAt),
      'warning',
      '—',
    ]);
    assert.deepEqual(byTask.get('broken-sync')?.slice(3), [
      'no',
      localTime(broken?.lastRun?.startedAt),
      'failed',
      '—',
    ]);
  });

  test('logs are JSON lines on stderr when it is not a terminal or LOG_FORMAT=json, readable lines on a terminal', async () => {
    assert.equal(plainStderr.length, 2);
    const lines = plainStderr.flatMap(jsonLines);
    assert.ok(
      lines.some((l) => l.msg === 'run finished'),
      'the real run logged its end (the dry run may log nothing)',
    );
    for (const l of lines) assert.ok('level' in l && 'msg' in l, `a pino line: ${JSON.stringify(l)}`);
    // `script` gives the command a real terminal (stdout and stderr both; lines end in \r\n).
    // Two tasks, so the two runs at once do not find each other's task busy.
    const onTerminal = (format: string, task: string) => {
      const e = env({ LOG_FORMAT: format });
      const vars = Object.entries(e).map(([k, v]) => `${k}='${v}'`);
      return runJunctionOnTerminal(`env ${vars.join(' ')} node --import tsx ${CLI} run ${task} --json`);
    };
    // One after the other: two CLI processes at once on a loaded CI machine made this test flaky.
    const pretty = await onTerminal('', 'zh-sync');
    const json = await onTerminal('json', 'be-sync');
    const prettyLines = pretty.split(/\r?\n/).filter((l) => l.trim() !== '');
    const finished = prettyLines.find((l) => l.includes('run finished'));
    assert.ok(finished, `the run's end is logged:\n${pretty}`);
    assert.doesNotMatch(finished, /^\{/, 'a readable line, not JSON');
    assert.ok(!prettyLines.some((l) => l.startsWith('{"level"')), 'no JSON log line on a terminal');
    const jsonOut = json.split(/\r?\n/).filter((l) => l.trim() !== '');
    assert.ok(
      jsonOut.some((l) => l.includes('"run finished"')),
      `LOG_FORMAT=json on a terminal logs the run's end:\n${json}`,
    );
    for (const l of jsonOut) assert.doesNotThrow(() => JSON.parse(l), `LOG_FORMAT=json on a terminal: ${l}`);
  });
});
