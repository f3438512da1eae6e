/** API keys: one per user, stored as a keyed hash plus a sealed copy so Get API Key can show it again. */
import { BASIC_PASSWORD_API_KEY_FORMAT, checksumMatches, CURRENT_API_KEY_FORMAT, maskSecret } from '../../shared/formats';
import type { ApiKeySummary } from '../../shared/schemas';
import { seal, unseal } from '../crypto/keyring';
import { apiKeyLookupHash, generateApiKey } from '../crypto/secrets';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { ApiKeyRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';
import { NO_OVERLAP } from './apiKeyOverlap';
import { legacyMemo } from './checksums';
import { byAdmin, securityNotice, sharedNotice } from './notices';
import { latestUse, NO_USAGE, usageKey, type UsageOf } from './usage';

const sealContext = (userId: number) => `api-key:${userId}`;

/** A key in clear with its stored row: what was just made, or what was read and opened. */
export interface ApiKeyInClear {
  apiKey: string;
  record: ApiKeyRecord;
}

async function newKeyRecord(deps: DomainDeps, user: UserRecord): Promise<ApiKeyInClear> {
  const apiKey = generateApiKey(deps.randomBytes);
  const record: ApiKeyRecord = {
    userId: user.id,
    lookupHash: apiKeyLookupHash(deps.keys, apiKey),
    sealed: await seal(deps.keys, apiKey, sealContext(user.id), deps.randomBytes),
    formatVersion: CURRENT_API_KEY_FORMAT,
    createdAt: deps.clock.now(),
    lastUsedAt: null,
    ...NO_OVERLAP,
  };
  return { apiKey, record };
}

/** Makes the user's first key; what was made is returned, never read back. */
export async function createApiKey(deps: DomainDeps, ctx: RequestContext, user: UserRecord): Promise<Result<ApiKeyInClear>> {
  const made = await newKeyRecord(deps, user);
  const inserted = await deps.store.insertApiKeyIfAbsent(made.record, [auditEvent(deps, ctx, 'api-key-created', user)]);
  if (!inserted) return fail('CONFLICT', 'An API key already exists for this user: regenerate it (PUT) to replace it');
  return ok(made);
}

/**
 * Replaces the user's key (or makes their first). Without an overlap the old key is refused from the next
 * request on (Artifactory's behaviour); with one, it keeps working until the overlap ends, and any older key
 * still overlapping ends now (one old key at a time).
 */
export async function regenerateApiKey(deps: DomainDeps, ctx: RequestContext, user: UserRecord, overlapMs = 0): Promise<Result<ApiKeyInClear>> {
  if (overlapMs > deps.settings.apiKeyOverlapMaxMs) {
    const hours = deps.settings.apiKeyOverlapMaxMs / 3_600_000;
    return fail(
      'BAD_REQUEST',
      hours === 0
        ? 'This server lets no old key overlap the new one: use overlapSeconds 0'
        : `The old key can keep working for at most ${hours} hours on this server`,
    );
  }
  const made = await newKeyRecord(deps, user);
  // A key that cannot be opened under this master key cannot authenticate either: nothing to overlap.
  const current = overlapMs > 0 ? await readApiKey(deps, user) : null;
  if (current) {
    made.record.previousLookupHash = current.record.lookupHash;
    made.record.previousMasked = maskSecret(current.apiKey);
    made.record.previousEndsAt = made.record.createdAt + overlapMs;
    made.record.previousLastUsedAt = current.record.lastUsedAt;
    made.record.previousFormatVersion = current.record.formatVersion;
  }
  const detail = made.record.previousEndsAt === null ? undefined : { oldKeyUntil: new Date(made.record.previousEndsAt).toISOString() };
  await deps.store.replaceApiKey(made.record, [auditEvent(deps, ctx, 'api-key-regenerated', user, detail)]);
  return ok(made);
}

/** Ends the old key's overlap now: it is refused from the next request on. */
export async function endApiKeyOverlap(deps: DomainDeps, ctx: RequestContext, user: UserRecord): Promise<Result<void>> {
  const ended = await deps.store.endApiKeyOverlap(user.id, [auditEvent(deps, ctx, 'api-key-overlap-ended', user)]);
  return ended ? ok(undefined) : fail('NOT_FOUND', 'No old API key is working beside the current one');
}

const REVOKED_IF_NOT_EXPECTED = 'ask your administrator why; generate a new key in Keyfob once you know your account is safe';
const REVOKED_MEANS = 'Scripts using it are refused from now on.';

export async function revokeApiKey(deps: DomainDeps, ctx: RequestContext, user: UserRecord, actor: UserRecord): Promise<boolean> {
  const self = actor.id === user.id;
  const detail = self ? undefined : { by: actor.name };
  // Someone else ended the user's key: they hear of it (their scripts are about to fail).
  const mail = self
    ? []
    : await securityNotice(deps, ctx, user, {
        subject: 'Your Keyfob API key was revoked',
        happened: `${byAdmin(actor)} revoked the API key of your Keyfob account ${user.name}. ${REVOKED_MEANS}`,
        ifNotYou: REVOKED_IF_NOT_EXPECTED,
      });
  const revoked = await deps.store.deleteApiKey(user.id, [auditEvent(deps, ctx, 'api-key-revoked', user, detail)], mail);
  if (revoked && mail.length > 0) deps.afterMailQueued?.();
  return revoked;
}

/** Every key ends at once; each owner with an e-mail (but the admin who did it) is told, with one text for all. */
export async function revokeAllApiKeys(deps: DomainDeps, ctx: RequestContext, actor: UserRecord): Promise<number> {
  const notice = await sharedNotice(deps, ctx, {
    subject: 'Your Keyfob API key was revoked',
    happened: `${byAdmin(actor)} revoked every API key on this Keyfob, yours among them. ${REVOKED_MEANS}`,
    ifNotYou: REVOKED_IF_NOT_EXPECTED,
  });
  const revoked = await deps.store.deleteAllApiKeys([auditEvent(deps, ctx, 'api-keys-revoked-all', actor)], { ...notice, exceptUserId: actor.id });
  if (revoked > 0) deps.afterMailQueued?.();
  return revoked;
}

/** The user's key in clear, or null when they have none (or it cannot be opened under this master key). */
export async function readApiKey(deps: DomainDeps, user: UserRecord): Promise<ApiKeyInClear | null> {
  const record = await deps.store.findApiKeyByUserId(user.id);
  if (!record) return null;
  const apiKey = await unseal(deps.keys, record.sealed, sealContext(user.id));
  return apiKey === null ? null : { apiKey, record };
}

/**
 * Another user's key for an admin (Artifactory's `GET /security/apiKey/{user}`): the read is recorded in
 * that user's activity, since it hands their secret to someone else. Null when they have none.
 */
export async function readApiKeyAsAdmin(deps: DomainDeps, ctx: RequestContext, user: UserRecord, admin: UserRecord): Promise<string | null> {
  const key = await readApiKey(deps, user);
  if (key) await deps.store.recordAudit([auditEvent(deps, ctx, 'api-key-read-by-admin', user, { by: admin.name })]);
  return key?.apiKey ?? null;
}

/** The usage keys of the user's key and of the old key while it overlaps, for readUsage. */
export function apiKeyUsageKeys(record: ApiKeyRecord): string[] {
  return [record.lookupHash, record.previousLookupHash].filter((hash) => hash !== null).map(usageKey.apiKey);
}

export function summariseApiKey(apiKey: string, record: ApiKeyRecord, now: number, usageOf: UsageOf = () => NO_USAGE): ApiKeySummary {
  const usage = usageOf(usageKey.apiKey(record.lookupHash));
  const overlapping = record.previousEndsAt !== null && record.previousEndsAt > now && record.previousMasked !== null;
  return {
    masked: maskSecret(apiKey),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUsedAt: latestUse(record.lastUsedAt, usage),
    needsRegeneration: record.formatVersion < BASIC_PASSWORD_API_KEY_FORMAT,
    usage,
    previous: overlapping
      ? {
          masked: record.previousMasked as string,
          endsAt: new Date(record.previousEndsAt as number).toISOString(),
          lastUsedAt: record.previousLastUsedAt === null ? null : new Date(record.previousLastUsedAt).toISOString(),
          usage: usageOf(usageKey.apiKey(record.previousLookupHash as string)),
        }
      : null,
  };
}

/** Whether keys from before the checksum (format < 3, current or still overlapping a new one) are stored. */
const unchecksummedKeysRemain = legacyMemo((deps) => deps.store.anyApiKeyBelowFormat(CURRENT_API_KEY_FORMAT));

/**
 * Whether a key-shaped value could be a key of this Keyfob, without reading it: a checksum that fails
 * means a typo (or a guess that did not bother with the public checksum), never a key we issued, unless
 * keys from before the checksum exist.
 */
export async function apiKeyMayExist(deps: Pick<DomainDeps, 'store' | 'clock'>, apiKey: string): Promise<boolean> {
  return checksumMatches(apiKey) || unchecksummedKeysRemain(deps);
}
