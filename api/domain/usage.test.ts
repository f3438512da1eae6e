/**
 * The usage log over a real libSQL store: uses counted in memory, written once per interval (no write per
 * use), nothing lost or counted twice when a write fails, and only the newest clients kept.
 */
import { describe, expect, it } from 'vitest';
import { counted, memoryStore } from '../testing/memoryStore';
import type { Store } from './ports';
import { createUsageLog, describeUsage, USAGE_FLUSH_MS } from './usage';
import { DAY_MS } from './expiryReminders';

const T0 = Date.UTC(2026, 11, 3, 12);
const curl = { clientAddress: '10.1.2.3', userAgent: 'curl/8.5.0' };

describe('the usage log', () => {
  it('counts in memory and writes one batch per interval', async () => {
    const { store, calls } = counted(await memoryStore());
    const log = createUsageLog();
    for (let i = 0; i < 1000; i++) {
      log.record('api-key:k1', T0 + i, curl);
      await log.flushIfDue(store, T0 + i);
    }
    expect(calls.recordUsage ?? 0).toBe(0);
    log.record('api-key:k1', T0 + USAGE_FLUSH_MS, { clientAddress: null, userAgent: 'jfrog-cli-go/2.52.0' });
    await log.flushIfDue(store, T0 + USAGE_FLUSH_MS);
    expect(calls.recordUsage).toBe(1);
    const [rollup] = await store.listUsage(['api-key:k1'], 0);
    expect(rollup!.daily).toEqual([{ day: Math.floor(T0 / DAY_MS), uses: 1001 }]);
    expect(describeUsage(rollup, T0 + USAGE_FLUSH_MS).clients).toEqual([
      { address: null, userAgent: 'jfrog-cli-go/2.52.0', client: 'jfrog-cli-go/2.52.0', lastUsedAt: new Date(T0 + USAGE_FLUSH_MS).toISOString() },
      { address: '10.1.2.3', userAgent: 'curl/8.5.0', client: 'curl/8.5.0', lastUsedAt: new Date(T0 + 999).toISOString() },
    ]);
  });

  it('counts clients that take turns each under its own name, the last one used found again', async () => {
    const store = await memoryStore();
    const log = createUsageLog();
    const jenkins = { clientAddress: '10.9.9.9', userAgent: 'jfrog-cli-go/2.52.0' };
    // The same address with another agent, and the same agent from another address, are other clients.
    const sameAddress = { clientAddress: curl.clientAddress, userAgent: 'Wget/1.21' };
    const sameAgent = { clientAddress: '10.1.2.4', userAgent: curl.userAgent };
    const turns = [curl, curl, jenkins, curl, sameAddress, sameAgent, jenkins, curl];
    for (const [i, client] of turns.entries()) log.record('api-key:k1', T0 + i, client);
    await log.flush(store, T0 + 100);
    const [rollup] = await store.listUsage(['api-key:k1'], 0);
    expect(rollup!.daily).toEqual([{ day: Math.floor(T0 / DAY_MS), uses: turns.length }]);
    const lastUse = (client: { clientAddress: string; userAgent: string }) => T0 + turns.lastIndexOf(client);
    expect(
      rollup!.clients.map(({ clientAddress, userAgent, lastUsedAt }) => ({ clientAddress, userAgent, lastUsedAt })).sort((a, b) => b.lastUsedAt - a.lastUsedAt),
    ).toEqual([curl, jenkins, sameAgent, sameAddress].map((client) => ({ ...client, lastUsedAt: lastUse(client) })));
  });

  it('keeps the counts of a failed write for the next one: none lost, none twice', async () => {
    const real = await memoryStore();
    let failNext = true;
    // The database refusing one write (a dropped connection), as a real outage would.
    const flaky: Store = new Proxy(real, {
      get: (target, property) =>
        property === 'recordUsage'
          ? async (...args: Parameters<Store['recordUsage']>) => {
              if (failNext) {
                failNext = false;
                throw new Error('connection reset');
              }
              return target.recordUsage(...args);
            }
          : Reflect.get(target, property),
    });
    const log = createUsageLog();
    for (let i = 0; i < 5; i++) log.record('token:t1', T0, curl);
    await log.flush(flaky, T0);
    expect(await real.listUsage(['token:t1'], 0)).toEqual([]);
    for (let i = 0; i < 2; i++) log.record('token:t1', T0 + 1, curl);
    await log.flush(flaky, T0 + 1);
    await log.flush(flaky, T0 + 2); // nothing waits: writes nothing more
    const [rollup] = await real.listUsage(['token:t1'], 0);
    expect(rollup!.daily).toEqual([{ day: Math.floor(T0 / DAY_MS), uses: 7 }]);
    expect(rollup!.clients).toEqual([{ ...curl, lastUsedAt: T0 + 1 }]);
  });

  it('holds the newest five clients of a credential, however many it is used from', async () => {
    const store = await memoryStore();
    const log = createUsageLog();
    for (let i = 0; i < 50; i++) log.record('session:s1', T0 + i, { clientAddress: `10.0.0.${i}`, userAgent: 'x/1' });
    await log.flush(store, T0 + 50);
    const [rollup] = await store.listUsage(['session:s1'], 0);
    expect(rollup!.clients.map((c) => c.clientAddress).sort()).toEqual(['10.0.0.45', '10.0.0.46', '10.0.0.47', '10.0.0.48', '10.0.0.49']);
    expect(rollup!.daily[0]!.uses).toBe(50);
  });
});
