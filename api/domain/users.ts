/** Users as Artifactory's admin calls manage them. */
import { isExternalRealm, UserName, userNameKey, type UserCreateRequest, type UserReply, type UserUpdateRequest } from '../../shared/schemas';
import { generatePasswordStamp } from '../crypto/secrets';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { checkPasswordPolicy, passwordChangedNotice, passwordFields } from './passwords';
import { emailChangedNotice } from './notices';
import type { NewOutboxMessage, NewUser, UserChanges, UserRecord } from './records';
import { fail, ok, type Result } from './result';

/**
 * `locked` and `passwordExpired`: the one lock rule's answer (lockout.ts passwordLocked) and the one expiry
 * rule's (passwordExpiry.ts), which the stored lock time and flag alone are not.
 */
export function toUserReply(user: UserRecord, state: { locked: boolean; passwordExpired: boolean }): UserReply {
  return {
    name: user.name,
    email: user.email,
    admin: user.admin,
    profileUpdatable: user.profileUpdatable,
    disableUIAccess: user.disableUIAccess,
    internalPasswordDisabled: user.internalPasswordDisabled,
    keysWithoutUnlock: user.keysWithoutUnlock,
    lastLoggedIn: user.lastLoggedIn === null ? null : new Date(user.lastLoggedIn).toISOString(),
    realm: user.realm,
    groups: user.groups,
    passwordExpired: state.passwordExpired,
    locked: state.locked,
  };
}

function parseName(name: string): Result<string> {
  const parsed = UserName.safeParse(name);
  return parsed.success ? ok(parsed.data) : fail('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'Invalid user name');
}

function notFound(name: string) {
  return fail('NOT_FOUND', `User '${name.slice(0, 64)}' does not exist`);
}

export async function findUser(deps: DomainDeps, name: string): Promise<Result<UserRecord>> {
  const user = await deps.store.findUserByNameKey(userNameKey(name));
  return user ? ok(user) : notFound(name);
}

function checkBodyName(pathName: string, bodyName: string | undefined): Result<void> {
  if (bodyName !== undefined && userNameKey(bodyName) !== userNameKey(pathName)) {
    return fail('BAD_REQUEST', 'The name in the body differs from the name in the path');
  }
  return ok(undefined);
}

/**
 * The password a body sets, or undefined when it sets none. Terraform sends the password in its state with
 * every update: the one the user already has is no change, so it neither ends their sessions nor their AP1.
 */
async function newPassword(deps: DomainDeps, user: UserRecord | null, password: string | undefined): Promise<string | undefined> {
  if (password === undefined || !user?.passwordHash) return password;
  return (await deps.hasher.verify(user.passwordHash, password)) ? undefined : password;
}

/** Keyfob must keep at least one admin, or nobody could manage it again. */
async function keepsAnAdmin(deps: DomainDeps, user: UserRecord, stillAdmin: boolean): Promise<Result<void>> {
  if (!user.admin || stillAdmin) return ok(undefined);
  return (await deps.store.countAdmins()) > 1 ? ok(undefined) : fail('BAD_REQUEST', 'Keyfob needs at least one admin: make another user admin first');
}

/** `PUT /security/users/{name}`: creates the user, or replaces an existing one's fields (keeping its keys). */
export async function putUser(
  deps: DomainDeps,
  ctx: RequestContext,
  actor: UserRecord,
  pathName: string,
  body: UserCreateRequest,
): Promise<Result<{ user: UserRecord; created: boolean }>> {
  const name = parseName(pathName);
  if (!name.ok) return name;
  const sameName = checkBodyName(pathName, body.name);
  if (!sameName.ok) return sameName;
  const realm = body.realm ?? 'internal';
  const fields = {
    email: body.email,
    realm,
    admin: body.admin ?? false,
    profileUpdatable: body.profileUpdatable ?? true,
    disableUIAccess: body.disableUIAccess ?? false,
    internalPasswordDisabled: body.internalPasswordDisabled ?? false,
    keysWithoutUnlock: body.keysWithoutUnlock ?? false,
    groups: body.groups ?? [],
  };
  const nameKey = userNameKey(name.value);
  const now = deps.clock.now();
  const existing = await deps.store.findUserByNameKey(nameKey);
  const setsPassword = await newPassword(deps, existing, body.password);
  if (setsPassword !== undefined) {
    const policy = checkPasswordPolicy(deps, { nameKey }, setsPassword);
    if (!policy.ok) return policy;
  }
  if (existing) {
    const admins = await keepsAnAdmin(deps, existing, fields.admin);
    if (!admins.ok) return admins;
    const password = setsPassword === undefined ? {} : await passwordFields(deps, setsPassword);
    const mail = await adminChangeNotices(deps, ctx, existing, actor, setsPassword !== undefined, fields.email);
    const updated = await deps.store.updateUser(
      existing.id,
      { ...fields, ...password, updatedAt: now },
      [auditEvent(deps, ctx, 'user-updated', existing, { by: actor.name })],
      { ...(setsPassword !== undefined && { endSessionsExcept: null }), mail },
    );
    if (updated && mail.length > 0) deps.afterMailQueued?.();
    return updated ? ok({ user: updated, created: false }) : notFound(name.value);
  }
  // A user whose internal password is disabled signs in otherwise (keys, tokens): Terraform creates such
  // users without a password, as Artifactory allows.
  if (body.password === undefined && !isExternalRealm(realm) && !fields.internalPasswordDisabled) {
    return fail('BAD_REQUEST', 'A password is required for a user of the internal realm (unless internalPasswordDisabled is true)');
  }
  const password =
    body.password === undefined
      ? { passwordHash: null, passwordStamp: generatePasswordStamp(deps.randomBytes), passwordExpired: false }
      : await passwordFields(deps, body.password);
  const newUser: NewUser = { name: name.value, nameKey, ...fields, ...password, lastLoggedIn: null, lockedAt: null, createdAt: now, updatedAt: now };
  const inserted = await deps.store.insertUser(newUser, [auditEvent(deps, ctx, 'user-created', null, { by: actor.name })]);
  // Two concurrent creations of one name: the loser is told, nothing is half-written.
  return inserted ? ok({ user: inserted, created: true }) : fail('CONFLICT', `User '${name.value}' already exists`);
}

/** `POST /security/users/{name}`: changes only the fields given. */
export async function patchUser(
  deps: DomainDeps,
  ctx: RequestContext,
  actor: UserRecord,
  pathName: string,
  body: UserUpdateRequest,
): Promise<Result<UserRecord>> {
  const found = await findUser(deps, pathName);
  if (!found.ok) return found;
  const user = found.value;
  const sameName = checkBodyName(pathName, body.name);
  if (!sameName.ok) return sameName;
  const admins = await keepsAnAdmin(deps, user, body.admin ?? user.admin);
  if (!admins.ok) return admins;
  const { name: _name, password: given, ...fields } = body;
  const password = await newPassword(deps, user, given);
  let changes: UserChanges = { ...fields, updatedAt: deps.clock.now() };
  if (password !== undefined) {
    const policy = checkPasswordPolicy(deps, user, password);
    if (!policy.ok) return policy;
    changes = { ...changes, ...(await passwordFields(deps, password)) };
  }
  const mail = await adminChangeNotices(deps, ctx, user, actor, password !== undefined, fields.email);
  const updated = await deps.store.updateUser(user.id, changes, [auditEvent(deps, ctx, 'user-updated', user, { by: actor.name })], {
    ...(password !== undefined && { endSessionsExcept: null }),
    mail,
  });
  if (updated && mail.length > 0) deps.afterMailQueued?.();
  return updated ? ok(updated) : notFound(pathName);
}

export async function deleteUser(deps: DomainDeps, ctx: RequestContext, actor: UserRecord, pathName: string): Promise<Result<UserRecord>> {
  const found = await findUser(deps, pathName);
  if (!found.ok) return found;
  const admins = await keepsAnAdmin(deps, found.value, false);
  if (!admins.ok) return admins;
  const deleted = await deps.store.deleteUser(found.value.id, [auditEvent(deps, ctx, 'user-deleted', null, { name: found.value.name, by: actor.name })]);
  return deleted ? ok(found.value) : notFound(pathName);
}

/** On a database with no users, creates the first admin. Returns null when users exist already. */
export async function bootstrapAdmin(deps: DomainDeps, name: string, password: string): Promise<UserRecord | null> {
  if ((await deps.store.countUsers()) > 0) return null;
  const parsed = parseName(name);
  if (!parsed.ok) throw new Error(`KEYFOB_ADMIN_USER: ${parsed.message}`);
  const now = deps.clock.now();
  const ctx = { clientAddress: null, userAgent: 'keyfob start-up' };
  return deps.store.insertUser(
    {
      name: parsed.value,
      nameKey: userNameKey(parsed.value),
      email: null,
      realm: 'internal',
      admin: true,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: false,
      keysWithoutUnlock: false,
      ...(await passwordFields(deps, password)),
      groups: [],
      lastLoggedIn: null,
      lockedAt: null,
      createdAt: now,
      updatedAt: now,
    },
    [auditEvent(deps, ctx, 'user-created', null, { by: 'start-up' })],
  );
}

/** Unlocks the named users (or everyone when `names` is null): clears failures and admin locks. */
export async function unlockUsers(deps: DomainDeps, ctx: RequestContext, actor: UserRecord, names: string[] | null): Promise<void> {
  const keys = names === null ? null : [...new Set(names.map(userNameKey))];
  await deps.store.unlockUsers(keys, [auditEvent(deps, ctx, 'user-unlocked', actor, { scope: names === null ? 'all' : String(keys?.length) })]);
}

/** An admin changed how the user signs in or is reached: the notices the user gets (none for their own changes). */
async function adminChangeNotices(
  deps: DomainDeps,
  ctx: RequestContext,
  user: UserRecord,
  actor: UserRecord,
  setsPassword: boolean,
  email: string | null | undefined,
): Promise<NewOutboxMessage[]> {
  if (user.id === actor.id) return [];
  return [
    ...(setsPassword ? await passwordChangedNotice(deps, ctx, user, actor) : []),
    ...(email === undefined ? [] : await emailChangedNotice(deps, ctx, user, email, actor)),
  ];
}
