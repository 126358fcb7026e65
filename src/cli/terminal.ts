import cliProgress from 'cli-progress';
import { prettyFactory } from 'pino-pretty';
import type { ExecutionCounts } from '../core/types.ts';

/**
 * The command's standard error: log lines and a run's progress bar share it. On a terminal, log lines are
 * readable one-liners written above the bar (cli-progress's MultiBar logs above its bars), so neither
 * breaks the other; elsewhere (CI, files, LOG_FORMAT=json) logs stay JSON and progress is a line every
 * few seconds.
 */
export interface Screen {
  /** Log lines are prettified (stderr is a terminal and LOG_FORMAT is not `json`). */
  readonly pretty: boolean;
  /** The pino destination: one JSON line per call. */
  readonly logDestination: { write(line: string): void };
  /** Starts a run's progress display. */
  progress(): ProgressReporter;
}

export interface ProgressReporter {
  update(counts: ExecutionCounts, total: number | null): void;
  stop(): void;
}

export function createScreen(
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Screen {
  const tty = Boolean(stream.isTTY);
  const pretty = tty && env.LOG_FORMAT !== 'json';
  let bars: cliProgress.MultiBar | null = null;
  const prettify = pretty
    ? prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
    : null;
  const writeLine = (line: string) => {
    if (!bars) {
      stream.write(line);
      return;
    }
    // MultiBar keeps logged lines until its next redraw and drops them on stop: redraw now.
    bars.log(line.endsWith('\n') ? line : `${line}\n`);
    bars.update();
  };
  return {
    pretty,
    logDestination: { write: (line) => writeLine(prettify ? prettify(line) : line) },
    progress() {
      if (!tty) return lineProgress(stream);
      const multi = new cliProgress.MultiBar(
        {
          stream,
          format:
            ' {bar} {read} read | {created} created | {updated} updated | {unchanged} unchanged | {failed} failed',
          hideCursor: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      let bar: cliProgress.SingleBar | null = null;
      bars = multi;
      return {
        update(counts, total) {
          bar ??= multi.create(total ?? 0, 0, counts);
          if (total === null) bar.setTotal(Math.max(counts.read, 1));
          bar.update(counts.read, counts);
        },
        stop() {
          multi.stop();
          bars = null;
        },
      };
    },
  };
}

/**
 * Progress where no bar can be drawn: a line every five seconds, in the JSON of the log lines around it
 * (level 30, info), so whatever reads stderr as JSON lines is not broken by it.
 */
function lineProgress(stream: NodeJS.WriteStream): ProgressReporter {
  let lastLine = 0;
  return {
    update(counts, total) {
      if (Date.now() - lastLine < 5000) return;
      lastLine = Date.now();
      const msg = `… ${counts.read} read, ${counts.created} created, ${counts.updated} updated, ${counts.failed} failed`;
      stream.write(`${JSON.stringify({ level: 30, time: lastLine, msg, counts, total })}\n`);
    },
    stop() {},
  };
}
