/** The profile as the extension shows it, and the changes a user makes to it. */
import { isExternalRealm, type ProfileReply } from '../../shared/schemas';
import { deriveEncryptedPassword } from '../crypto/secrets';
import { apiKeyUsageKeys, readApiKey, summariseApiKey } from './apiKeys';
import { readUsage } from './usage';
import { readBintray, summariseBintray } from './bintray';
import { listSshKeys } from './sshKeys';
import { canSeeSecrets, mayUpdateProfile } from './access';
import type { Principal } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { emailChangedNotice } from './notices';
import type { UserRecord } from './records';
import { fail, ok, type Result } from './result';

export async function buildProfile(deps: DomainDeps, principal: Principal, user: UserRecord = principal.user): Promise<ProfileReply> {
  const [key, sshKeys, bintray] = await Promise.all([readApiKey(deps, user), listSshKeys(deps, user), readBintray(deps, user)]);
  const apiKeyUsage = key ? await readUsage(deps, apiKeyUsageKeys(key.record)) : undefined;
  const now = deps.clock.now();
  const unlockedUntil = principal.session?.unlockedUntil ?? null;
  const stillUnlocked = unlockedUntil !== null && unlockedUntil > now;
  const iso = (at: number | null | undefined) => (at === null || at === undefined ? null : new Date(at).toISOString());
  return {
    name: user.name,
    email: user.email,
    realm: user.realm,
    admin: user.admin,
    profileUpdatable: user.profileUpdatable,
    keysWithoutUnlock: user.keysWithoutUnlock,
    canChangePassword: !isExternalRealm(user.realm) && !user.internalPasswordDisabled,
    unlocked: canSeeSecrets({ ...principal, user }, now),
    unlockedUntil: stillUnlocked ? iso(unlockedUntil) : null,
    unlockEndsAt: stillUnlocked ? iso(principal.session?.unlockEndsAt) : null,
    unlockEnded: unlockedUntil !== null && !stillUnlocked ? { at: new Date(unlockedUntil).toISOString(), by: endedBy(principal.session) } : null,
    unlockMaxMinutes: Math.floor(deps.settings.unlockMaxMs / 60_000),
    apiKeyOverlapMaxSeconds: Math.floor(deps.settings.apiKeyOverlapMaxMs / 1000),
    notifyInformational: user.notifyInformational,
    apiKey: key ? summariseApiKey(key.apiKey, key.record, now, apiKeyUsage) : null,
    sshKeys,
    bintray: bintray ? summariseBintray(bintray.credentials, bintray.record) : null,
  };
}

/** An unlock that ran out hit the server's maximum (or the fixed window of an older session), or went unused for its idle time. */
function endedBy(session: Principal['session']): 'idle' | 'limit' {
  const { unlockedUntil, unlockEndsAt, unlockIdleMs } = session ?? {};
  if (unlockIdleMs == null || unlockEndsAt == null || unlockedUntil == null) return 'limit';
  return unlockedUntil >= unlockEndsAt ? 'limit' : 'idle';
}

export function revealEncryptedPassword(deps: DomainDeps, user: UserRecord): Result<string> {
  if (user.passwordHash === null || user.internalPasswordDisabled) {
    return fail('NOT_FOUND', 'You sign in through an external directory and have no Keyfob password to encrypt');
  }
  return ok(deriveEncryptedPassword(deps.keys, user.id, user.passwordStamp));
}

export async function updateEmail(deps: DomainDeps, ctx: RequestContext, user: UserRecord, email: string): Promise<Result<UserRecord>> {
  const updatable = mayUpdateProfile(user);
  if (!updatable.ok) return updatable;
  const notice = await emailChangedNotice(deps, ctx, user, email, null);
  const updated = await deps.store.updateUser(user.id, { email, updatedAt: deps.clock.now() }, [auditEvent(deps, ctx, 'email-changed', user)], {
    mail: notice,
  });
  if (notice.length > 0) deps.afterMailQueued?.();
  return updated ? ok(updated) : fail('NOT_FOUND', 'Your user no longer exists');
}

/**
 * Turns the user's informational mail (expiry reminders) on or off. Not held to profileUpdatable: it changes
 * neither how the user is reached nor how they sign in, and security mail goes either way.
 */
export async function setInformationalMail(deps: DomainDeps, ctx: RequestContext, user: UserRecord, informational: boolean): Promise<Result<UserRecord>> {
  if (user.notifyInformational === informational) return ok(user);
  const updated = await deps.store.updateUser(user.id, { notifyInformational: informational, updatedAt: deps.clock.now() }, [
    auditEvent(deps, ctx, 'notifications-changed', user, { informational: String(informational) }),
  ]);
  return updated ? ok(updated) : fail('NOT_FOUND', 'Your user no longer exists');
}
