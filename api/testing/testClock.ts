/**
 * A frozen clock that tests move on purpose, for any runtime: with KEYFOB_TEST_CLOCK=1 an entry serves
 * `POST /__keyfob_test/clock` with `{"set": ms}` or `{"advanceMs": ms}`. Off unless that variable is set;
 * start-up says loudly when it is on. Never set it in production: it lets anyone move time.
 */
import { Hono } from 'hono';
import type { Clock } from '../domain/ports';

export const TEST_CLOCK_PATH = '/__keyfob_test/clock';

export interface AdjustableClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function createAdjustableClock(start = Date.now()): AdjustableClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export function testClockRoutes(clock: AdjustableClock) {
  const app = new Hono();
  app.post(TEST_CLOCK_PATH, async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { set?: unknown; advanceMs?: unknown };
    if (typeof body.set === 'number') clock.set(body.set);
    if (typeof body.advanceMs === 'number') clock.advance(body.advanceMs);
    return c.json({ now: clock.now() });
  });
  return app;
}

export function testClockEnabled(env: Record<string, unknown>): boolean {
  return env.KEYFOB_TEST_CLOCK === '1';
}
