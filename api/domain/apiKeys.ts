/** API keys: one per user, stored as a keyed hash plus a sealed copy so Get API Key can show it again. */
import { BASIC_PASSWORD_API_KEY_FORMAT, checksumMatches, CURRENT_API_KEY_FORMAT, maskSecret } from '../../shared/formats';
import type { ApiKeySummary } from '../../shared/schemas';
import { seal, unseal } from '../crypto/keyring';
import { apiKeyLookupHash, generateApiKey } from '../crypto/secrets';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { ApiKeyRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';

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

/** Replaces the user's key (or makes their first); the old key is refused from the next request on. */
export async function regenerateApiKey(deps: DomainDeps, ctx: RequestContext, user: UserRecord): Promise<ApiKeyInClear> {
  const made = await newKeyRecord(deps, user);
  await deps.store.replaceApiKey(made.record, [auditEvent(deps, ctx, 'api-key-regenerated', user)]);
  return made;
}

export async function revokeApiKey(deps: DomainDeps, ctx: RequestContext, user: UserRecord, actor: UserRecord): Promise<boolean> {
  const detail = actor.id === user.id ? undefined : { by: actor.name };
  return deps.store.deleteApiKey(user.id, [auditEvent(deps, ctx, 'api-key-revoked', user, detail)]);
}

export async function revokeAllApiKeys(deps: DomainDeps, ctx: RequestContext, actor: UserRecord): Promise<number> {
  return deps.store.deleteAllApiKeys([auditEvent(deps, ctx, 'api-keys-revoked-all', actor)]);
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

export function summariseApiKey(apiKey: string, record: ApiKeyRecord): ApiKeySummary {
  return {
    masked: maskSecret(apiKey),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUsedAt: record.lastUsedAt === null ? null : new Date(record.lastUsedAt).toISOString(),
    needsRegeneration: record.formatVersion < BASIC_PASSWORD_API_KEY_FORMAT,
  };
}

/** How often, while keys from before the checksum remain, the store is asked again whether they still do. */
const UNCHECKSUMMED_RECHECK_MS = 60_000;
const unchecksummedByStore = new WeakMap<object, { remain: boolean; checkedAt: number }>();

/**
 * Whether a key-shaped value could be a key of this Keyfob, without reading it: a checksum that fails
 * means a typo or a guess, never a key we issued, unless keys from before the checksum (format < 3) still
 * exist. Once none do, none ever will again (every new key has one), so the answer is kept for good.
 */
export async function apiKeyMayExist(deps: Pick<DomainDeps, 'store' | 'clock'>, apiKey: string): Promise<boolean> {
  if (checksumMatches(apiKey)) return true;
  const now = deps.clock.now();
  const known = unchecksummedByStore.get(deps.store);
  if (known && (!known.remain || now - known.checkedAt < UNCHECKSUMMED_RECHECK_MS)) return known.remain;
  const remain = await deps.store.anyApiKeyBelowFormat(CURRENT_API_KEY_FORMAT);
  unchecksummedByStore.set(deps.store, { remain, checkedAt: now });
  return remain;
}
