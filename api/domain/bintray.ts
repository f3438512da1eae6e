/**
 * Bintray credentials in the profile: the user name in clear, the API key sealed with the master key
 * (it is shown again after unlock), and a Test that asks the Bintray-compatible API whether they work.
 */
import { maskSecret } from '../../shared/formats';
import type { BintraySummary, BintrayTestReply } from '../../shared/schemas';
import { seal, unseal } from '../crypto/keyring';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { BintrayRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';

const sealContext = (userId: number) => `bintray-key:${userId}`;

export interface BintrayCredentials {
  username: string;
  apiKey: string;
}

export async function saveBintray(deps: DomainDeps, ctx: RequestContext, user: UserRecord, credentials: BintrayCredentials): Promise<Result<BintrayRecord>> {
  if (!user.profileUpdatable) return fail('FORBIDDEN', 'Your administrator does not let you change your profile');
  const record: BintrayRecord = {
    userId: user.id,
    username: credentials.username,
    sealed: await seal(deps.keys, credentials.apiKey, sealContext(user.id), deps.randomBytes),
    updatedAt: deps.clock.now(),
  };
  await deps.store.putBintray(record, [auditEvent(deps, ctx, 'bintray-changed', user, { username: credentials.username })]);
  return ok(record);
}

export async function removeBintray(deps: DomainDeps, ctx: RequestContext, user: UserRecord): Promise<Result<void>> {
  if (!user.profileUpdatable) return fail('FORBIDDEN', 'Your administrator does not let you change your profile');
  await deps.store.deleteBintray(user.id, [auditEvent(deps, ctx, 'bintray-removed', user)]);
  return ok(undefined);
}

/** The stored credentials in clear, or null when the user has none (or they were sealed under another master key). */
export async function readBintray(deps: DomainDeps, user: UserRecord): Promise<{ credentials: BintrayCredentials; record: BintrayRecord } | null> {
  const record = await deps.store.findBintray(user.id);
  if (!record) return null;
  const apiKey = await unseal(deps.keys, record.sealed, sealContext(user.id));
  return apiKey === null ? null : { credentials: { username: record.username, apiKey }, record };
}

export function summariseBintray(credentials: BintrayCredentials, record: BintrayRecord): BintraySummary {
  return { username: credentials.username, apiKeyMasked: maskSecret(credentials.apiKey), updatedAt: new Date(record.updatedAt).toISOString() };
}

/**
 * Asks the Bintray API (`GET {apiUrl}/users/{username}` with Basic auth) whether the credentials work.
 * The answer is one of four plain outcomes; the key never appears in it.
 */
export async function testBintray(apiUrl: string, credentials: BintrayCredentials, options: { timeoutMs: number }): Promise<BintrayTestReply> {
  const { timeoutMs } = options;
  const url = `${apiUrl.replace(/\/+$/, '')}/users/${encodeURIComponent(credentials.username)}`;
  const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${credentials.username}:${credentials.apiKey}`)));
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Basic ${basic}`, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    // Read (and drop) the body so the connection is released.
    await response.arrayBuffer();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
      return { outcome: 'timeout', message: `Bintray did not answer within ${Math.round(timeoutMs / 1000)} s: try again later` };
    }
    return { outcome: 'unreachable', message: `Bintray at ${new URL(apiUrl).host} cannot be reached: check the address and the network` };
  }
  if (response.ok) return { outcome: 'valid', message: `The credentials of '${credentials.username}' work` };
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    return { outcome: 'invalid', message: 'Bintray refused this user name and API key: check both' };
  }
  return { outcome: 'unreachable', message: `Bintray answered ${response.status}: try again later` };
}
