import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Sheet } from '../connectors/spreadsheet/sheet.ts';
import { NotFoundError } from '../core/errors.ts';
import { workspaceFolderOf, workspaceFoldersIn } from '../core/workspace-folders.ts';
import type { ImportValidation } from './import-file.ts';

/** Where an uploaded import stands. */
export type ImportStatus = 'validated' | 'running' | 'finished' | 'failed';

/** An uploaded file and what became of it; kept as JSON next to the file. */
export interface ImportRecord {
  id: string;
  mappingId: string;
  fileName: string;
  createdAt: string;
  status: ImportStatus;
  file: {
    format: Sheet['format'];
    sheetName: string | null;
    encoding: string | null;
    delimiter: string | null;
    bytes: number;
    header: string[];
  };
  validation: ImportValidation;
  executionId: string | null;
  hasErrorFile: boolean;
  error: { code: string; message: string } | null;
}

const ID = /^[0-9a-f-]{36}$/;

/**
 * The folder of uploaded imports: one sub-folder per import with the file (`upload`), its record
 * (`import.json`) and the error file (`errors.xlsx`). Ids are random UUIDs; anything else is refused,
 * so a request can never name a path outside the folder.
 */
export function createImportWorkspace(baseDir: string) {
  const dirOf = (id: string) => {
    if (!ID.test(id)) throw new NotFoundError(`import '${id}' does not exist`);
    return join(resolve(baseDir), id);
  };
  return {
    /** Makes the folder of a new import. */
    async create(): Promise<{ id: string; uploadPath: string; errorFilePath: string }> {
      const id = randomUUID();
      // Uploads hold customer data: only Junction's user may read them.
      await mkdir(dirOf(id), { recursive: true, mode: 0o700 });
      return { id, uploadPath: join(dirOf(id), 'upload'), errorFilePath: join(dirOf(id), 'errors.xlsx') };
    },
    uploadPath: (id: string) => join(dirOf(id), 'upload'),
    errorFilePath: (id: string) => join(dirOf(id), 'errors.xlsx'),
    async save(record: ImportRecord): Promise<void> {
      // Written aside and renamed: a request reading the record while a run updates it sees the old or the new.
      const file = join(dirOf(record.id), 'import.json');
      const aside = `${file}.${randomUUID()}.tmp`;
      await writeFile(aside, JSON.stringify(record), { mode: 0o600 });
      await rename(aside, file);
    },
    async load(id: string): Promise<ImportRecord> {
      try {
        return JSON.parse(await readFile(join(dirOf(id), 'import.json'), 'utf8')) as ImportRecord;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new NotFoundError(`import '${id}' does not exist`);
        throw err;
      }
    },
    /** Every import whose record can be read (an upload cut off mid-way has none and is left out). */
    async list(): Promise<ImportRecord[]> {
      let entries: string[];
      try {
        entries = await readdir(resolve(baseDir));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: ImportRecord[] = [];
      for (const id of entries.filter((e) => ID.test(e))) {
        try {
          out.push(JSON.parse(await readFile(join(dirOf(id), 'import.json'), 'utf8')) as ImportRecord);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      return out;
    },
    async remove(id: string): Promise<void> {
      await rm(dirOf(id), { recursive: true, force: true });
    },
    /**
     * Removes every import created before `cutoff` (its file, record and error file); a running one stays.
     * A folder without a readable record (an upload cut off mid-way) counts by its modification time.
     */
    async purgeBefore(cutoff: Date): Promise<number> {
      let entries: string[];
      try {
        entries = await readdir(resolve(baseDir));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw err;
      }
      let removed = 0;
      for (const id of entries.filter((e) => ID.test(e))) {
        let created: number;
        let running = false;
        try {
          const record = JSON.parse(await readFile(join(dirOf(id), 'import.json'), 'utf8')) as ImportRecord;
          created = Date.parse(record.createdAt);
          running = record.status === 'running';
        } catch {
          created = (await stat(dirOf(id))).mtimeMs;
        }
        if (running || !(created < cutoff.getTime())) continue;
        await rm(dirOf(id), { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
  };
}
/** The workspace an import server or CLI uses. */
export type ImportWorkspace = ReturnType<typeof createImportWorkspace>;

/**
 * The folder of one workspace's imports inside the hub's imports folder: `default`'s is the folder itself
 * (as before workspaces), every other workspace's `workspaces/<id>/` in it. A request sees only its own.
 */
export function importsOfWorkspace(importsDir: string, workspaceId: string): ImportWorkspace {
  return createImportWorkspace(workspaceFolderOf(importsDir, workspaceId));
}

/** The imports folders of every workspace that has one (clean-ups of the whole hub: retention, erasure). */
export async function everyWorkspaceImports(importsDir: string): Promise<ImportWorkspace[]> {
  return (await workspaceFoldersIn(importsDir)).map(({ folder }) => createImportWorkspace(folder));
}

/** `purgeBefore` over every workspace's imports: the retention setting is the hub's. */
export function purgeEveryWorkspace(importsDir: string): Pick<ImportWorkspace, 'purgeBefore'> {
  return {
    async purgeBefore(cutoff) {
      let removed = 0;
      for (const folder of await everyWorkspaceImports(importsDir))
        removed += await folder.purgeBefore(cutoff);
      return removed;
    },
  };
}
