/** Runs the housekeeping pass at start and then on an interval, never two at once, until stopped. */
import type { AppDeps } from '../deps';
import { housekeep } from '../domain/housekeeping';

export interface Housekeeper {
  stop(): Promise<void>;
}

export function startHousekeeping(deps: AppDeps, intervalMs: number): Housekeeper {
  let running: Promise<unknown> | null = null;
  const run = () => {
    if (running !== null) return;
    running = housekeep(deps, deps.log)
      .catch((err) => deps.log(`error: housekeeping pass failed (${(err as Error)?.name ?? 'error'})`))
      .finally(() => (running = null));
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
