import type { Context } from 'hono';
import type { DomainDeps } from './domain/deps';
import type { AdjustableClock } from './testing/testClock';

/** What `createApp` is built from: the domain's deps plus what only HTTP needs. */
export interface AppDeps extends DomainDeps {
  version: string;
  revision: string;
  /** One line per event; never handed a secret. */
  log: (line: string) => void;
  /** Whether to log a line per request. */
  logRequests: boolean;
  /** The caller's address, from the runtime's connection info (or a trusted proxy header). */
  clientAddress: (c: Context) => string | null;
  /** Request bodies above this many bytes are refused with 413. */
  bodyLimitBytes: number;
  /** Only in test runs (KEYFOB_TEST_CLOCK=1): the clock, which a test route may move. */
  testClock?: AdjustableClock;
}
