/**
 * Where each credential is used: the API key (each one, by its lookup hash), each token, each SSH key and
 * each session. Uses are counted in memory and written as rollups (uses per day, the newest five clients)
 * in one batch at most every USAGE_FLUSH_MS per process, so a request costs a Map update and no write.
 * A crash loses at most what waits (housekeeping and shutdown flush too); a read of usage adds this process's
 * waiting counts, so what a user just did shows at once (other processes' uses show within their next flush).
 */
import type { CredentialUsage } from '../../shared/schemas';
import { describeUserAgent } from '../../shared/userAgents';
import type { RequestContext } from './deps';
import { DAY_MS } from './expiryReminders';
import type { Store } from './ports';

export const USAGE_FLUSH_MS = 30_000;
/** Past this many credentials waiting, the next request flushes whatever the time. */
const MAX_PENDING_CREDENTIALS = 1_000;
/** Clients kept per credential, newest first. */
export const CLIENTS_KEPT = 5;
/** Rollups and clients older than this are deleted by housekeeping. */
export const USAGE_KEPT_DAYS = 90;
/** Daily counts a reply carries. */
const DAYS_SHOWN = 30;

/** What a credential's usage is kept under: its kind and the id that finds its row. */
export const usageKey = {
  apiKey: (lookupHash: string) => `api-key:${lookupHash}`,
  token: (id: string) => `token:${id}`,
  sshKey: (id: number) => `ssh-key:${id}`,
  session: (tokenHash: string) => `session:${tokenHash}`,
};

export interface UsageClient {
  /** '' when unknown: the rollup's key cannot hold null. */
  clientAddress: string;
  userAgent: string;
  lastUsedAt: number;
}

/** One credential's counts since the last flush, or as stored. */
export interface UsageRollup {
  credential: string;
  daily: { day: number; uses: number }[];
  clients: UsageClient[];
}

interface Pending {
  days: Map<number, number>;
  clients: Map<string, UsageClient>;
  /** The client counted last (one of `clients`): a script's next request is from it again, found without a key. */
  last?: UsageClient;
}

/** One client of a credential: its address and agent together. */
const clientId = (clientAddress: string, userAgent: string) => `${clientAddress}\n${userAgent}`;

/** Adds uses to `days` (summed per day) and clients to `clients` (the newer use of each client wins). */
function mergeUses(days: Map<number, number>, clients: Map<string, UsageClient>, moreDays: Iterable<[number, number]>, moreClients: Iterable<UsageClient>) {
  for (const [day, uses] of moreDays) days.set(day, (days.get(day) ?? 0) + uses);
  for (const client of moreClients) {
    const id = clientId(client.clientAddress, client.userAgent);
    const seen = clients.get(id);
    if (!seen || seen.lastUsedAt < client.lastUsedAt) clients.set(id, client);
  }
}

export interface UsageLog {
  record(credential: string, at: number, ctx: RequestContext): void;
  /**
   * Writes what waits when the interval has passed (or too much waits); a failed write keeps it for the next.
   * Null when nothing is due: the hot path then awaits nothing.
   */
  flushIfDue(store: Store, now: number): Promise<void> | null;
  flush(store: Store, now: number): Promise<void>;
  /** This process's counts for the credential not written yet (what a reply adds to the stored ones). */
  waiting(credential: string): UsageRollup | undefined;
}

export function createUsageLog(): UsageLog {
  let pending = new Map<string, Pending>();
  // The domain clock's time (a test's clock may be far from the system's): from the first use counted.
  let lastFlush: number | null = null;
  let flushing: Promise<void> | null = null;

  const add = (credential: string, days: Iterable<[number, number]>, clients: Iterable<UsageClient>) => {
    let entry = pending.get(credential);
    if (!entry) {
      entry = { days: new Map(), clients: new Map() };
      pending.set(credential, entry);
    }
    // What `clients` holds may be replaced here: the next use finds its client by key again.
    entry.last = undefined;
    mergeUses(entry.days, entry.clients, days, clients);
    // Only the newest few can be kept anyway: a credential used from many clients holds no more memory.
    if (entry.clients.size > CLIENTS_KEPT) {
      const newest = [...entry.clients.entries()].sort(([, a], [, b]) => b.lastUsedAt - a.lastUsedAt).slice(0, CLIENTS_KEPT);
      entry.clients = new Map(newest);
    }
  };

  const flush = async (store: Store, at: number): Promise<void> => {
    if (flushing !== null) await flushing;
    if (pending.size === 0) return;
    const taken = pending;
    pending = new Map();
    lastFlush = at;
    const rollups: UsageRollup[] = [...taken].map(([credential, entry]) => ({
      credential,
      daily: [...entry.days].map(([day, uses]) => ({ day, uses })),
      clients: [...entry.clients.values()],
    }));
    flushing = store
      .recordUsage(rollups)
      .catch(() => {
        // Counted again with whatever came since, and written with the next flush.
        for (const rollup of rollups)
          add(
            rollup.credential,
            rollup.daily.map((d) => [d.day, d.uses]),
            rollup.clients,
          );
      })
      .finally(() => {
        flushing = null;
      });
    await flushing;
  };

  return {
    // On the hot path: a script sends the same credential from the same client again and again, so the common
    // case is one Map hit for the credential, two string comparisons for its last client and two number writes,
    // with no allocation.
    record(credential, at, ctx) {
      lastFlush ??= at;
      const clientAddress = ctx.clientAddress ?? '';
      const agent = ctx.userAgent ?? '';
      const userAgent = agent.length > 256 ? agent.slice(0, 256) : agent;
      const entry = pending.get(credential);
      const last = entry?.last;
      const seen =
        last !== undefined && last.clientAddress === clientAddress && last.userAgent === userAgent
          ? last
          : entry?.clients.get(clientId(clientAddress, userAgent));
      if (entry && seen) {
        const day = Math.floor(at / DAY_MS);
        entry.days.set(day, (entry.days.get(day) ?? 0) + 1);
        if (seen.lastUsedAt < at) seen.lastUsedAt = at;
        entry.last = seen;
        return;
      }
      add(credential, [[Math.floor(at / DAY_MS), 1]], [{ clientAddress, userAgent, lastUsedAt: at }]);
    },
    flushIfDue(store, now) {
      if (pending.size === 0 || flushing !== null) return null;
      if (now - (lastFlush ?? now) < USAGE_FLUSH_MS && pending.size < MAX_PENDING_CREDENTIALS) return null;
      return flush(store, now);
    },
    flush,
    waiting(credential) {
      const entry = pending.get(credential);
      if (!entry) return undefined;
      return { credential, daily: [...entry.days].map(([day, uses]) => ({ day, uses })), clients: [...entry.clients.values()].map((c) => ({ ...c })) };
    },
  };
}

/** A stored rollup and the counts still waiting, as one. */
function combined(stored: UsageRollup | undefined, waiting: UsageRollup | undefined): UsageRollup | undefined {
  if (!stored || !waiting) return stored ?? waiting;
  const days = new Map<number, number>();
  const clients = new Map<string, UsageClient>();
  for (const rollup of [stored, waiting])
    mergeUses(
      days,
      clients,
      rollup.daily.map((d) => [d.day, d.uses]),
      rollup.clients,
    );
  return { credential: stored.credential, daily: [...days].map(([day, uses]) => ({ day, uses })), clients: [...clients.values()] };
}

/** A credential's usage by its usage key, as readUsage found it. */
export type UsageOf = (credential: string) => CredentialUsage;

/**
 * The last use as a reply says it: the row's time (written at most once a minute, and not for every form of a
 * credential) or the newest client's in the rollups, whichever is later, so the two never disagree.
 */
export function latestUse(lastUsedAt: number | null, usage: CredentialUsage): string | null {
  const newest = usage.clients[0]?.lastUsedAt;
  const latest = Math.max(lastUsedAt ?? Number.NEGATIVE_INFINITY, newest ? Date.parse(newest) : Number.NEGATIVE_INFINITY);
  return Number.isFinite(latest) ? new Date(latest).toISOString() : null;
}

export const NO_USAGE: CredentialUsage = { clients: [], daily: [] };

/** A stored rollup as replies carry it. */
export function describeUsage(rollup: UsageRollup | undefined, now: number): CredentialUsage {
  if (!rollup) return NO_USAGE;
  const firstDay = Math.floor(now / DAY_MS) - DAYS_SHOWN + 1;
  return {
    clients: [...rollup.clients]
      .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
      .slice(0, CLIENTS_KEPT)
      .map((c) => ({
        address: c.clientAddress || null,
        userAgent: c.userAgent || null,
        client: describeUserAgent(c.userAgent),
        lastUsedAt: new Date(c.lastUsedAt).toISOString(),
      })),
    daily: rollup.daily
      .filter((d) => d.day >= firstDay)
      .sort((a, b) => a.day - b.day)
      .map((d) => ({ day: new Date(d.day * DAY_MS).toISOString().slice(0, 10), uses: d.uses })),
  };
}

/**
 * The usage of these credentials, by key: the stored rollups with this process's waiting counts added (not
 * written for the read: a script polling its own profile must not make a write per request). Reads only
 * what housekeeping keeps (the last USAGE_KEPT_DAYS).
 */
export async function readUsage(deps: { store: Store; usage?: UsageLog; clock: { now(): number } }, credentials: string[]): Promise<UsageOf> {
  const now = deps.clock.now();
  if (credentials.length === 0) return () => NO_USAGE;
  const rollups = await deps.store.listUsage(credentials, Math.floor(now / DAY_MS) - DAYS_SHOWN + 1);
  const byCredential = new Map(rollups.map((rollup) => [rollup.credential, rollup]));
  return (credential) => describeUsage(combined(byCredential.get(credential), deps.usage?.waiting(credential)), now);
}
