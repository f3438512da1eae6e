/** Users whose identity comes from elsewhere (HTTP SSO, LDAP): found, or made on first sign-in when allowed. */
import { UserName, userNameKey, type Realm } from '../../shared/schemas';
import { generatePasswordStamp } from '../crypto/secrets';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { UserRecord } from './records';
import { fail, ok, type Result } from './result';

/**
 * The Keyfob user for an identity `realm` vouched for. Only a user of that realm matches: a directory or
 * a proxy header never signs anyone into an internal account (an admin's, say) that happens to share the
 * name. With `create`, a missing user is made, without a Keyfob password.
 */
export async function userForExternalIdentity(
  deps: DomainDeps,
  ctx: RequestContext,
  realm: Realm,
  name: string,
  options: { create: boolean; email?: string | null },
): Promise<Result<UserRecord>> {
  const parsed = UserName.safeParse(name);
  if (!parsed.success) return fail('BAD_CREDENTIALS', 'The identity given is not a valid Keyfob user name');
  const nameKey = userNameKey(parsed.data);
  const existing = await deps.store.findUserByNameKey(nameKey);
  if (existing) {
    return existing.realm === realm ? ok(existing) : fail('BAD_CREDENTIALS', `'${parsed.data}' is not a user of the ${realm} realm`);
  }
  if (!options.create) return fail('BAD_CREDENTIALS', `'${parsed.data}' has no Keyfob account: ask an administrator to create it`);
  const created = await insertExternalUser(deps, ctx, realm, parsed.data, options.email ?? null);
  // Created at the same moment by a parallel request: use that one.
  return created ? ok(created) : userForExternalIdentity(deps, ctx, realm, name, { create: false });
}

/** Makes a user of `realm` (a valid user name), without a Keyfob password; null when the name is taken. */
export async function insertExternalUser(deps: DomainDeps, ctx: RequestContext, realm: Realm, name: string, email: string | null): Promise<UserRecord | null> {
  const now = deps.clock.now();
  return deps.store.insertUser(
    {
      name,
      nameKey: userNameKey(name),
      email,
      realm,
      admin: false,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: true,
      keysWithoutUnlock: false,
      passwordHash: null,
      passwordStamp: generatePasswordStamp(deps.randomBytes),
      passwordExpired: false,
      groups: [],
      lastLoggedIn: null,
      lockedAt: null,
      createdAt: now,
      updatedAt: now,
    },
    [auditEvent(deps, ctx, 'user-created', null, { by: realm })],
  );
}
