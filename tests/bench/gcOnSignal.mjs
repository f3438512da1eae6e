// Preloaded into the server only by `npm run bench` (with --expose-gc): on SIGUSR2 it collects garbage
// fully and writes process.memoryUsage() to KEYFOB_BENCH_MEMORY_FILE, so the soak compares live memory,
// not garbage that simply has not been collected yet.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  globalThis.gc?.({ type: 'major', execution: 'sync' });
  globalThis.gc?.();
  writeFileSync(process.env.KEYFOB_BENCH_MEMORY_FILE, JSON.stringify(process.memoryUsage()));
});
