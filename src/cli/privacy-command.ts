import { importsDirOf } from '../config/environment.ts';
import { confinedFactory } from '../connectors/registry.ts';
import { UsageError } from '../core/errors.ts';
import { eraseRecord, exportRecord } from '../engine/deletions.ts';
import type { Runtime } from './runtime.ts';

/** Where a privacy request starts: `--connection C --object O --key K`. */
export interface RecordArgs {
  connection?: string | undefined;
  object?: string | undefined;
  key?: string | undefined;
}

function recordOf(command: string, a: RecordArgs) {
  if (!a.connection || !a.object || !a.key)
    throw new UsageError(`usage: junction ${command} --connection <id> --object <object> --key <key>`);
  return { connectionId: a.connection, object: a.object, key: a.key };
}

/**
 * `junction erase`: erases a person everywhere Junction copied them (see `eraseRecord`) and prints the
 * outcome as JSON; exit 0 when complete, 2 when a system failed (run it again to finish).
 */
export async function eraseCommand(rt: Runtime, a: RecordArgs): Promise<number> {
  const outcome = await eraseRecord(rt.store, recordOf('erase', a), {
    log: rt.log,
    connectorFactory: confinedFactory(rt.files),
    by: 'cli',
    importsDir: importsDirOf(rt.env),
  });
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  return outcome.complete ? 0 : 2;
}

/** `junction export-person`: what Junction and the linked systems hold about a person, as JSON on stdout. */
export async function exportPersonCommand(rt: Runtime, a: RecordArgs): Promise<number> {
  const doc = await exportRecord(rt.store, recordOf('export-person', a), {
    log: rt.log,
    connectorFactory: confinedFactory(rt.files),
    by: 'cli',
  });
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}
