import { createInterface } from 'node:readline/promises';
import type { Runtime } from './runtime.ts';
import type { StartAttachment } from './start.ts';

/** What the command line asked for: `--demo` / `junction demo` (yes), `--no-demo` (no), or nothing (offer). */
export type DemoChoice = 'yes' | 'no' | 'offer';

/** What `junction start` does about the demo. */
export type DemoDecision = 'load' | 'ask' | 'skip';

/** JUNCTION_DEMO as a choice: 1/true/yes loads the demo, 0/false/no never offers it. */
export function demoChoiceFromEnv(value: string | undefined): DemoChoice {
  const v = value?.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes') return 'yes';
  if (v === '0' || v === 'false' || v === 'no') return 'no';
  return 'offer';
}

/**
 * Decides whether to load the demo. An explicit choice wins; a store that already holds the demo gets
 * its emulators back (its connections point at them); a new data folder asks on a terminal only, since
 * a service manager or CI cannot answer.
 */
export function decideDemo(o: {
  choice: DemoChoice;
  firstStart: boolean;
  loaded: boolean;
  interactive: boolean;
}): DemoDecision {
  if (o.choice === 'yes') return 'load';
  if (o.choice === 'no') return 'skip';
  if (o.loaded) return 'load';
  if (o.firstStart && o.interactive) return 'ask';
  return 'skip';
}

/** Asks a yes/no question on the terminal; Enter means yes, Ctrl-D no, and Ctrl-C quits as it always does. */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const ac = new AbortController();
  rl.once('SIGINT', () => {
    process.stdout.write('\n');
    process.exit(130);
  });
  rl.once('close', () => ac.abort());
  try {
    const answer = await rl.question(`${question} [Y/n] `, { signal: ac.signal });
    return !/^\s*n/i.test(answer);
  } catch {
    process.stdout.write('\n');
    return false;
  } finally {
    rl.close();
  }
}

/**
 * The `prepare` hook of `startHub` for the demo: decides (and maybe asks), then starts the demo before
 * the scheduler does, so the first runs already reach the emulators.
 */
export function demoPrepare(
  choice: DemoChoice,
  ask: (question: string) => Promise<boolean> = askYesNo,
): (rt: Runtime, o: { firstStart: boolean }) => Promise<StartAttachment | undefined> {
  return async (rt, { firstStart }) => {
    // Loaded here: the emulators are no business of the other commands.
    const { hasDemoWorkspace, startDemo } = await import('../demo/index.ts');
    const decision = decideDemo({
      choice: choice === 'offer' ? demoChoiceFromEnv(process.env.JUNCTION_DEMO) : choice,
      firstStart,
      loaded: await hasDemoWorkspace(rt.store),
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    });
    const load =
      decision === 'load' ||
      (decision === 'ask' && (await ask('This data folder is new. Load the demo workspace?')));
    if (!load) {
      if (firstStart)
        console.log(
          'Starting an empty Junction (for the demo workspace: `npm start -- --demo` or JUNCTION_DEMO=1).',
        );
      return undefined;
    }
    return startDemo({
      store: rt.store,
      dataDir: rt.env.dataDir,
      filesDir: rt.env.filesDirs[0],
      log: rt.log,
    });
  };
}
