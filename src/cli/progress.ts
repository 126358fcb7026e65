import cliProgress from 'cli-progress';
import type { ExecutionCounts } from '../core/types.ts';

/** Shows a run's progress: a live bar on a terminal, a line every few seconds otherwise (CI, logs). */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream,
          format:
            ' {bar} {read} read | {created} created | {updated} updated | {unchanged} unchanged | {failed} failed',
          hideCursor: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  let lastLine = 0;
  return {
    update(counts: ExecutionCounts, total: number | null) {
      if (bar) {
        if (!started) bar.start(total ?? 0, 0, counts);
        started = true;
        if (total === null) bar.setTotal(Math.max(counts.read, 1));
        bar.update(counts.read, counts);
      } else if (Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        stream.write(
          `… ${counts.read} read, ${counts.created} created, ${counts.updated} updated, ${counts.failed} failed\n`,
        );
      }
    },
    stop() {
      if (started) bar?.stop();
    },
  };
}
