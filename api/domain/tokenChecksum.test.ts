/**
 * The checksum of session, refresh and reference tokens, over a real libSQL store with its calls counted:
 * every one-character typo and every swap of neighbours is refused without a database read; a token from
 * before the checksum (made before `tokenChecksumsSince`) is still looked up while such tokens live, and a
 * guess of that shape costs no read once none does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { checksumMatches, REFERENCE_TOKEN_PATTERN, REFRESH_TOKEN_PATTERN, SESSION_TOKEN_PATTERN, withChecksum } from '../../shared/formats';
import { createKeyRing } from '../crypto/keyring';
import { createPbkdf2Hasher } from '../crypto/pbkdf2';
import { storedTokenHash } from '../crypto/secrets';
import { counted, memoryStore, newUser } from '../testing/memoryStore';
import { createAdjustableClock, type AdjustableClock } from '../testing/testClock';
import { TOKEN_CHECKSUMS_SINCE_SETTING } from './checksums';
import { authenticate } from './credentials';
import { DEFAULT_DOMAIN_SETTINGS, type DomainDeps } from './deps';
import { webRandomBytes } from './ports';
import type { AccessTokenRecord, UserRecord } from './records';
import { startSession } from './sessions';
import { createToken, findTokenByValue, refreshToken } from './tokens';

const ctx = { clientAddress: '127.0.0.1', userAgent: 'vitest' };
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HOUR = 3_600_000;

/** Every value one character away from `token` after its prefix, and every swap of two different neighbours. */
function typosOf(token: string, prefixLength: number): string[] {
  const typos: string[] = [];
  for (let i = prefixLength; i < token.length; i++) {
    for (const c of ALPHABET) if (c !== token[i]) typos.push(token.slice(0, i) + c + token.slice(i + 1));
    if (i + 1 < token.length && token[i] !== token[i + 1]) typos.push(token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2));
  }
  return typos;
}

/** `length` characters of `alphabet`, not random but different each call. */
let serial = 0;
function filler(alphabet: string, length: number): string {
  serial++;
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(serial * 7 + i * 13) % alphabet.length];
  return out;
}

/** A value of the shape from before the checksum, whose tail (almost surely) is no checksum. */
function legacyShaped(prefix: string, alphabet: string, length: number): string {
  const value = prefix + filler(alphabet, length);
  return checksumMatches(value) ? legacyShaped(prefix, alphabet, length) : value;
}
const legacySession = () => legacyShaped('kfs_', 'abcdefghijklmnopqrstuvwxyz234567', 32);
const legacyRefresh = () => legacyShaped('kfr_', 'abcdefghijklmnopqrstuvwxyz234567', 32);
const legacyReference = () => legacyShaped('cmVmdGtuOjAxOj', ALPHABET, 50);

let deps: DomainDeps;
let calls: Record<string, number>;
let clock: AdjustableClock;
let user: UserRecord;
let since: number;
const reset = () => {
  for (const key of Object.keys(calls)) delete calls[key];
};

beforeEach(async () => {
  const store = await memoryStore();
  user = (await store.insertUser(newUser('carol'), []))!;
  since = (await store.getSetting<number>(TOKEN_CHECKSUMS_SINCE_SETTING)) as number;
  expect(typeof since).toBe('number');
  const raw = counted(store);
  calls = raw.calls;
  clock = createAdjustableClock(since + 1000);
  deps = {
    store: raw.store,
    clock,
    randomBytes: webRandomBytes,
    hasher: createPbkdf2Hasher(webRandomBytes, 1000),
    keys: await createKeyRing(webRandomBytes(32)),
    settings: DEFAULT_DOMAIN_SETTINGS,
  };
});

/** A token row as one made before the checksum would be: created before the marker. */
function legacyTokenRow(fields: Partial<AccessTokenRecord>): AccessTokenRecord {
  const id = crypto.randomUUID();
  return {
    id,
    userId: user.id,
    scope: 'applied-permissions/user',
    description: null,
    audience: null,
    refreshable: false,
    refreshHash: null,
    referenceHash: null,
    createdAt: since - HOUR,
    expiresAt: since + 24 * HOUR,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    familyId: id,
    parentFamilyId: null,
    ...fields,
  };
}

const principal = () => ({ user, via: 'password' as const });

describe('a session token', () => {
  const viaBearer = (token: string) => authenticate(deps, ctx, { kind: 'bearer', token });

  it('carries a checksum, and every typo is refused without a read (the very first one too)', async () => {
    const { token } = await startSession(deps, ctx, user, { unlocked: true });
    expect(token).toMatch(/^kfs_[a-z2-7]{32}[A-Za-z0-9]{6}$/);
    expect(token).toMatch(SESSION_TOKEN_PATTERN);
    expect(checksumMatches(token)).toBe(true);
    const typos = typosOf(token, 4);
    expect(typos.length).toBeGreaterThan(38 * 61);
    reset();
    for (const typo of typos) {
      const refused = await viaBearer(typo);
      expect(refused).toMatchObject({ ok: false, code: 'SESSION_EXPIRED', message: 'Your session has ended: sign in again' });
    }
    expect(calls).toEqual({});

    const good = await viaBearer(token);
    expect(good.ok && good.value.user.name).toBe('carol');
    expect(calls.findSession).toBe(1);
  });

  it('with a right checksum but unknown is looked up, and refused', async () => {
    const forged = withChecksum(`kfs_${filler('abcdefghijklmnopqrstuvwxyz234567', 32)}`);
    reset();
    expect((await viaBearer(forged)).ok).toBe(false);
    expect(calls.findSession).toBe(1);
  });

  it('from before the checksum works while it lives; once none does, a guess of its shape costs no read', async () => {
    const legacy = legacySession();
    await deps.store.insertSession(
      {
        tokenHash: storedTokenHash(deps.keys, legacy),
        userId: user.id,
        createdAt: since - HOUR,
        lastSeenAt: clock.now(),
        expiresAt: clock.now() + HOUR,
        unlockedUntil: null,
        unlockIdleMs: null,
        unlockEndsAt: null,
        kind: 'browser',
        sshKeyId: null,
      },
      [],
    );
    const viaLegacy = await viaBearer(legacy);
    expect(viaLegacy.ok && viaLegacy.value.user.name).toBe('carol');
    // While it lives, a guess of its shape is looked up: it may be another such session.
    reset();
    expect((await viaBearer(legacySession())).ok).toBe(false);
    expect(calls).toEqual({ findSession: 1 });

    clock.advance(HOUR + 61_000);
    // The memo asks again: the old session has expired, none is left.
    expect((await viaBearer(legacySession())).ok).toBe(false);
    expect(calls.anyLiveTokenCreatedBefore).toBe(1);
    reset();
    for (let i = 0; i < 50; i++) expect((await viaBearer(legacySession())).ok).toBe(false);
    expect(calls).toEqual({});
  });

  it('of the old shape is looked up when the marker is missing (a database migrated some other way)', async () => {
    await deps.store.deleteSetting(TOKEN_CHECKSUMS_SINCE_SETTING);
    reset();
    expect((await viaBearer(legacySession())).ok).toBe(false);
    expect(calls.findSession).toBe(1);
    expect(calls.anyLiveTokenCreatedBefore).toBeUndefined();
  });
});

describe('a refresh token', () => {
  const refused = { ok: false, code: 'BAD_CREDENTIALS', message: 'This refresh token is unknown, or its token was revoked: create a new token' };

  it('carries a checksum, and every typo is refused without a read', async () => {
    const made = await createToken(deps, ctx, principal(), { expiresIn: 3600, refreshable: true });
    if (!made.ok) throw new Error('no token');
    const refresh = made.value.refreshToken!;
    expect(refresh).toMatch(/^kfr_[a-z2-7]{32}[A-Za-z0-9]{6}$/);
    expect(refresh).toMatch(REFRESH_TOKEN_PATTERN);
    const typos = typosOf(refresh, 4);
    reset();
    for (const typo of typos) {
      const answer = await refreshToken(deps, ctx, typo);
      expect(answer).toMatchObject(refused);
      expect(await findTokenByValue(deps, typo)).toBeNull();
    }
    expect(calls).toEqual({});

    const refreshed = await refreshToken(deps, ctx, refresh);
    expect(refreshed.ok && refreshed.value.refreshToken).toMatch(REFRESH_TOKEN_PATTERN);
    expect(calls.findAccessTokenByRefresh).toBe(1);
  });

  it('with a right checksum but unknown is looked up, and refused', async () => {
    const forged = withChecksum(`kfr_${filler('abcdefghijklmnopqrstuvwxyz234567', 32)}`);
    reset();
    const answer = await refreshToken(deps, ctx, forged);
    expect(answer).toMatchObject(refused);
    expect(calls.findAccessTokenByRefresh).toBe(1);
  });

  it('from before the checksum refreshes, past its access token’s expiry; spent, it still ends its family', async () => {
    const legacy = legacyRefresh();
    await deps.store.insertAccessToken(legacyTokenRow({ refreshable: true, refreshHash: storedTokenHash(deps.keys, legacy), expiresAt: since - 1000 }), []);
    const refreshed = await refreshToken(deps, ctx, legacy);
    expect(refreshed.ok).toBe(true);
    if (!refreshed.ok) return;
    // Spent, it may come back from a thief or the client: its family has a live token, so it is still looked up.
    clock.advance(61_000);
    const reused = await refreshToken(deps, ctx, legacy);
    expect(reused).toMatchObject({ ok: false, code: 'TOKEN_REVOKED' });
    expect((await refreshToken(deps, ctx, refreshed.value.refreshToken!)).ok).toBe(false);

    // The family has ended: no refresh token from before the checksum can do anything now.
    clock.advance(61_000);
    expect((await refreshToken(deps, ctx, legacyRefresh())).ok).toBe(false);
    reset();
    for (let i = 0; i < 50; i++) expect((await refreshToken(deps, ctx, legacyRefresh())).ok).toBe(false);
    expect(calls).toEqual({});
  });
});

describe('a reference token', () => {
  const viaHeader = (apiKey: string) => authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey });
  const unknown = { ok: false, code: 'BAD_CREDENTIALS', message: 'This access token is unknown here' };

  it('keeps JFrog’s shape with its checksum, and every typo is refused without a read once the memo settles', async () => {
    const made = await createToken(deps, ctx, principal(), { expiresIn: 3600, includeReferenceToken: true });
    if (!made.ok) throw new Error('no token');
    const reference = made.value.referenceToken!;
    expect(reference).toMatch(REFERENCE_TOKEN_PATTERN);
    expect(reference).toHaveLength(64);
    expect(Buffer.from(reference, 'base64').toString('latin1')).toMatch(/^reftkn:01:\d{10}:[A-Za-z0-9]{21}/);
    expect(checksumMatches(reference)).toBe(true);
    const typos = typosOf(reference, 'cmVmdGtu'.length);
    for (const typo of typos) expect(checksumMatches(typo), typo).toBe(false);

    // The old shape is the same, so the first miss asks whether tokens from before the checksum live; none do.
    expect((await viaHeader(typos[0]!)).ok).toBe(false);
    reset();
    for (const typo of typos.slice(1)) {
      const refused = await viaHeader(typo);
      expect(refused).toMatchObject(unknown);
    }
    for (const typo of typos.slice(1, 200)) {
      expect((await authenticate(deps, ctx, { kind: 'bearer', token: typo })).ok).toBe(false);
      expect((await authenticate(deps, ctx, { kind: 'basic', username: 'carol', password: typo })).ok).toBe(false);
      expect(await findTokenByValue(deps, typo)).toBeNull();
    }
    expect(calls).toEqual({});

    const good = await viaHeader(reference);
    expect(good.ok && good.value.user.name).toBe('carol');
    expect(calls.findAccessTokenByReference).toBe(1);
  });

  it('with a right checksum but unknown is looked up, and refused', async () => {
    const forged = withChecksum(`cmVmdGtuOjAxOj${filler(ALPHABET, 44)}`);
    expect(forged).toMatch(REFERENCE_TOKEN_PATTERN);
    reset();
    const refused = await viaHeader(forged);
    expect(refused).toMatchObject(unknown);
    expect(calls.findAccessTokenByReference).toBe(1);
  });

  it('from before the checksum works while its token lives; once none does, a guess costs no read', async () => {
    const legacy = legacyReference();
    await deps.store.insertAccessToken(legacyTokenRow({ referenceHash: storedTokenHash(deps.keys, legacy), expiresAt: clock.now() + HOUR }), []);
    const viaLegacy = await viaHeader(legacy);
    expect(viaLegacy.ok && viaLegacy.value.user.name).toBe('carol');
    reset();
    expect((await viaHeader(legacyReference())).ok).toBe(false);
    expect(calls).toEqual({ findAccessTokenByReference: 1 });

    clock.advance(HOUR + 61_000);
    const expired = await viaHeader(legacy);
    expect(expired).toMatchObject(unknown);
    reset();
    for (let i = 0; i < 50; i++) expect((await viaHeader(legacyReference())).ok).toBe(false);
    expect(calls).toEqual({});
  });
});
