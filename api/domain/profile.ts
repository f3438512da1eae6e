/** The profile as the extension shows it, and the changes a user makes to it. */
import { isExternalRealm, type ProfileReply } from '../../shared/schemas';
import { deriveEncryptedPassword } from '../crypto/secrets';
import { readApiKey, summariseApiKey } from './apiKeys';
import { readBintray, summariseBintray } from './bintray';
import { listSshKeys } from './sshKeys';
import { canSeeSecrets, type Principal } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { UserRecord } from './ports';
import { fail, ok, type Result } from './result';

export async function buildProfile(deps: DomainDeps, principal: Principal, user: UserRecord = principal.user): Promise<ProfileReply> {
  const [key, sshKeys, bintray] = await Promise.all([readApiKey(deps, user), listSshKeys(deps, user), readBintray(deps, user)]);
  const unlockedUntil = principal.session?.unlockedUntil ?? null;
  return {
    name: user.name,
    email: user.email,
    realm: user.realm,
    admin: user.admin,
    profileUpdatable: user.profileUpdatable,
    keysWithoutUnlock: user.keysWithoutUnlock,
    canChangePassword: !isExternalRealm(user.realm) && !user.internalPasswordDisabled,
    unlocked: canSeeSecrets({ ...principal, user }, deps.clock.now()),
    unlockedUntil: unlockedUntil === null || unlockedUntil <= deps.clock.now() ? null : new Date(unlockedUntil).toISOString(),
    apiKey: key ? summariseApiKey(key.apiKey, key.record) : null,
    sshKeys,
    bintray: bintray ? summariseBintray(bintray.credentials, bintray.record) : null,
  };
}

export function revealEncryptedPassword(deps: DomainDeps, user: UserRecord): Result<string> {
  if (user.passwordHash === null || user.internalPasswordDisabled) {
    return fail('NOT_FOUND', 'You sign in through an external directory and have no Keyfob password to encrypt');
  }
  return ok(deriveEncryptedPassword(deps.keys, user.id, user.passwordStamp));
}

export async function updateEmail(deps: DomainDeps, ctx: RequestContext, user: UserRecord, email: string): Promise<Result<UserRecord>> {
  if (!user.profileUpdatable) return fail('FORBIDDEN', 'Your administrator does not let you change your profile');
  const updated = await deps.store.updateUser(user.id, { email, updatedAt: deps.clock.now() }, [auditEvent(deps, ctx, 'email-changed', user)]);
  return updated ? ok(updated) : fail('NOT_FOUND', 'Your user no longer exists');
}
