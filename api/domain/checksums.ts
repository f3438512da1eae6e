/**
 * Refusing a mistyped or guessed secret by its checksum, before anything is read. A value whose checksum
 * fails was never issued with one; it is looked up all the same only while secrets from before the checksum
 * may still work, which one store query says, asked again now and then (`legacyMemo`).
 */
import { checksumMatches, LEGACY_OPAQUE_TOKEN_LENGTH, REFERENCE_TOKEN_PATTERN, REFRESH_TOKEN_PATTERN, SESSION_TOKEN_PATTERN } from '../../shared/formats';
import type { DomainDeps } from './deps';
import type { OpaqueTokenKind } from './records';

type Asker = Pick<DomainDeps, 'store' | 'clock'>;

/** How often the store is asked again while secrets from before the checksum remain. */
const REMAIN_RECHECK_MS = 60_000;
/**
 * Once none remain, none should appear again, but a process of an older version (a rolling deploy) or a
 * database restored from a backup can bring one back: asked again, less often.
 */
const NONE_RECHECK_MS = 10 * 60_000;

/**
 * `remain`, asked of each store at most once a minute while it answers yes and once every ten minutes
 * once it answers no. Per store (a WeakMap), so tests and processes with several databases keep apart.
 */
export function legacyMemo(remain: (deps: Asker) => Promise<boolean>): (deps: Asker) => Promise<boolean> {
  const byStore = new WeakMap<object, { remain: boolean; checkedAt: number }>();
  return async (deps) => {
    const now = deps.clock.now();
    const known = byStore.get(deps.store);
    if (known && now - known.checkedAt < (known.remain ? REMAIN_RECHECK_MS : NONE_RECHECK_MS)) return known.remain;
    const answer = await remain(deps);
    byStore.set(deps.store, { remain: answer, checkedAt: now });
    return answer;
  };
}

/** When reference, refresh and session tokens began to carry a checksum (ms, written by migration 0012). */
export const TOKEN_CHECKSUMS_SINCE_SETTING = 'tokenChecksumsSince';

function legacyTokensLive(kind: OpaqueTokenKind) {
  return legacyMemo(async (deps) => {
    const since = await deps.store.getSetting<unknown>(TOKEN_CHECKSUMS_SINCE_SETTING);
    // A database migrated some other way has no marker: any token in it may be from before the checksum.
    if (typeof since !== 'number') return true;
    return deps.store.anyLiveTokenCreatedBefore(kind, since, deps.clock.now());
  });
}

const legacySessionsLive = legacyTokensLive('session');
const legacyReferenceTokensLive = legacyTokensLive('reference');
const legacyRefreshTokensLive = legacyTokensLive('refresh');

/** Session and refresh tokens grew by the checksum: the shorter shape is the one from before it. */
async function opaqueTokenMayExist(deps: Asker, pattern: RegExp, legacyLive: (deps: Asker) => Promise<boolean>, token: string): Promise<boolean> {
  if (!pattern.test(token)) return false;
  // The pattern admits two lengths: with the checksum, or the shorter one from before it.
  if (token.length > LEGACY_OPAQUE_TOKEN_LENGTH) return checksumMatches(token);
  return legacyLive(deps);
}

/**
 * Whether a value could be a session (or Git LFS) token of this Keyfob, without reading it: one of the
 * current shape must pass its checksum; one of the shape from before it, only while such sessions live.
 */
export function sessionTokenMayExist(deps: Asker, token: string): Promise<boolean> {
  return opaqueTokenMayExist(deps, SESSION_TOKEN_PATTERN, legacySessionsLive, token);
}

/** As sessionTokenMayExist, for refresh tokens. */
export function refreshTokenMayExist(deps: Asker, token: string): Promise<boolean> {
  return opaqueTokenMayExist(deps, REFRESH_TOKEN_PATTERN, legacyRefreshTokensLive, token);
}

/**
 * Whether a value could be a reference token of this Keyfob, without reading it. Reference tokens kept
 * JFrog's shape, so one from before the checksum looks like a typo: either is looked up while any such
 * token lives.
 */
export async function referenceTokenMayExist(deps: Asker, token: string): Promise<boolean> {
  if (!REFERENCE_TOKEN_PATTERN.test(token)) return false;
  return checksumMatches(token) || legacyReferenceTokensLive(deps);
}
