import type { WriteJournal } from '../connectors/connector.ts';
import type { Store } from '../store/store.ts';
import { withStoreRetry } from '../store/transient.ts';

/** A task's write journal as a run hands it to connectors, with the step that ends a page's notes. */
export interface PageJournal extends WriteJournal {
  /** After a page commit: forgets the notes of the page (none written: no query). */
  settle(): Promise<void>;
}

/**
 * The write journal of one task's run (store.writeJournal): what a connector started and will wait on
 * (a Brevo import process) is noted before it waits, so a run killed meanwhile leaves the note to the
 * next run, which replays the uncommitted page and picks the work up. A committed page's notes are
 * cleared; a note that outlives its page (a crash between commit and clear) only names finished work.
 */
export function pageJournal(store: Store, taskId: string): PageJournal {
  let noted = false;
  return {
    get: (key) => withStoreRetry(() => store.writeJournal.get(taskId, key)),
    async put(key, value) {
      noted = true;
      await withStoreRetry(() => store.writeJournal.put(taskId, key, value));
    },
    async settle() {
      if (!noted) return;
      noted = false;
      await withStoreRetry(() => store.writeJournal.clear(taskId));
    },
  };
}
