// Runs one task in its own process and prints its counts and peak RSS as JSON (for the memory figure).
import { pino } from 'pino';
import { loadSecretKey } from '../src/config/environment.ts';
import { runTask } from '../src/engine/run-task.ts';
import { createSecretBox } from '../src/store/secret-box.ts';
import { openStore } from '../src/store/store.ts';

const dataDir = process.env.JUNCTION_DATA_DIR as string;
const store = await openStore({ dataDir, secretBox: createSecretBox(loadSecretKey(dataDir)) });
const execution = await runTask(process.argv[2] as string, { store, log: pino({ level: 'silent' }) });
await store.close();
console.log(
  JSON.stringify({
    counts: execution.counts,
    status: execution.status,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
