// Preloaded (`node --import`) into a process the bench measures: at exit, writes to the file BENCH_PEAK_RSS_FILE
// the process's peak resident set size and the largest V8 heap and off-heap memory (Buffers, native) seen,
// in MB, as JSON. Plain JavaScript, so it adds no loader to the process it measures.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  const peak = { heapMb: 0, externalMb: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapMb = Math.max(peak.heapMb, m.heapTotal / 2 ** 20);
    peak.externalMb = Math.max(peak.externalMb, m.external / 2 ** 20);
  };
  setInterval(sample, 250).unref();
  process.on('exit', () => {
    sample();
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    // The settings the process ran with (bin/junction.js applies its own: bin/node-settings.js).
    const settings = [
      ...process.execArgv.filter((a) => !a.includes('peak-rss')),
      `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset'}`,
    ]
      .filter((a) => a !== '--import')
      .join(' ');
    writeFileSync(file, JSON.stringify({ maxRssMb, ...peak, settings }));
  });
}
