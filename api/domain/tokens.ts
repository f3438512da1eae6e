/**
 * Identity and access tokens, as JFrog's Access service issues them: a JWT (its payload read by clients
 * as JFrog's is), optionally a reference token (JFrog's short shape) and a refresh token. Every token has
 * a scope and, unless an admin allows otherwise, an expiry; non-admins are held to the longest lifetime
 * the policy allows. The row decides at each request: revoked, refreshed or expired tokens get 401 saying
 * which, and an admin-scoped token stops working the moment its user is no longer an admin.
 */
import { encodeBase64NoPadding } from '@oslojs/encoding';
import { generateRandomString } from '@oslojs/crypto/random';
import { CHECKSUM_LENGTH, REFRESH_TOKEN_PREFIX, withChecksum } from '../../shared/formats';
import { userNameKey, type CredentialUsage, type TokenPolicy } from '../../shared/schemas';
import { signJwt, verifyJwt } from '../crypto/jwt';
import { generateRefreshToken, storedTokenHash } from '../crypto/secrets';
import { mayPerform } from './access';
import { referenceTokenMayExist, refreshTokenMayExist } from './checksums';
import { ADMIN_SCOPE, scopeGrants, tokenIsAdmin, USER_SCOPE } from './tokenScopes';
import type { Principal } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { tokenEnded, type AccessTokenRecord, type UserRecord } from './records';
import { fail, ok, type Result } from './result';
import { readUsage, usageKey } from './usage';
import { byAdmin, quoted, securityNotice } from './notices';

/** Who issues Keyfob's tokens, in JFrog's `service@instance` form; `sub` is `…/users/NAME` under it. */
export const TOKEN_ISSUER = 'jfac@keyfob';

const TOKEN_POLICY_SETTING = 'tokenPolicy';
const YEAR_SECONDS = 365 * 24 * 60 * 60;
export const DEFAULT_TOKEN_POLICY: TokenPolicy = { defaultExpiresInSeconds: YEAR_SECONDS, maxExpiresInSeconds: YEAR_SECONDS, allowNonExpiring: false };

export async function getTokenPolicy(deps: Pick<DomainDeps, 'store'>): Promise<TokenPolicy> {
  return (await deps.store.getSetting<TokenPolicy>(TOKEN_POLICY_SETTING)) ?? DEFAULT_TOKEN_POLICY;
}

export async function setTokenPolicy(deps: Pick<DomainDeps, 'store'>, policy: TokenPolicy): Promise<TokenPolicy> {
  await deps.store.putSetting(TOKEN_POLICY_SETTING, policy);
  return policy;
}

export interface TokenRequest {
  username?: string;
  scope?: string;
  /** Seconds; 0: does not expire (where allowed); absent: the policy's default. */
  expiresIn?: number;
  refreshable?: boolean;
  description?: string;
  audience?: string;
  includeReferenceToken?: boolean;
}

export interface IssuedToken {
  tokenId: string;
  accessToken: string;
  /** Absent for a token that does not expire. */
  expiresIn?: number;
  scope: string;
  tokenType: 'Bearer';
  refreshToken?: string;
  referenceToken?: string;
  user: UserRecord;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * JFrog's reference-token shape: base64 of `reftkn:01:<expiry epoch>:<random>`, whose last six characters
 * are then replaced by the checksum of the 58 before them (over 130 random bits remain). Letters and digits
 * only, as clients and secret scanners expect: base64 of ASCII letters, digits and `:` never reaches the
 * 62nd and 63rd characters, `+` and `/`, and the checksum is base62.
 */
function generateReferenceToken(deps: Pick<DomainDeps, 'randomBytes'>, expiresAt: number | null): string {
  const epoch = String(Math.floor((expiresAt ?? 0) / 1000))
    .padStart(10, '0')
    .slice(-10);
  const random = generateRandomString({ read: (b) => b.set(deps.randomBytes(b.length)) }, BASE62, 27);
  return withChecksum(encodeBase64NoPadding(new TextEncoder().encode(`reftkn:01:${epoch}:${random}`)).slice(0, -CHECKSUM_LENGTH));
}

function mint(deps: DomainDeps, user: UserRecord, record: AccessTokenRecord): string {
  const iat = Math.floor(record.createdAt / 1000);
  return signJwt(deps.keys.tokenSigningMac, {
    ver: '2',
    sub: `${TOKEN_ISSUER}/users/${user.name}`,
    scp: record.scope,
    aud: record.audience ?? '*@*',
    iss: TOKEN_ISSUER,
    iat,
    ...(record.expiresAt === null ? {} : { exp: Math.floor(record.expiresAt / 1000) }),
    jti: record.id,
  });
}

async function issue(
  deps: DomainDeps,
  user: UserRecord,
  fields: Omit<AccessTokenRecord, 'refreshHash' | 'referenceHash' | 'lastUsedAt' | 'revokedAt' | 'revokedReason'>,
  withReference: boolean,
) {
  const refreshToken = fields.refreshable ? generateRefreshToken(deps.randomBytes) : undefined;
  const referenceToken = withReference ? generateReferenceToken(deps, fields.expiresAt) : undefined;
  const record: AccessTokenRecord = {
    ...fields,
    refreshHash: refreshToken ? storedTokenHash(deps.keys, refreshToken) : null,
    referenceHash: referenceToken ? storedTokenHash(deps.keys, referenceToken) : null,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
  };
  const issued: IssuedToken = {
    tokenId: record.id,
    accessToken: mint(deps, user, record),
    ...(record.expiresAt === null ? {} : { expiresIn: Math.round((record.expiresAt - record.createdAt) / 1000) }),
    scope: record.scope,
    tokenType: 'Bearer',
    ...(refreshToken ? { refreshToken } : {}),
    ...(referenceToken ? { referenceToken } : {}),
    user,
  };
  return { record, issued };
}

/** A new token for the caller, or (an admin's call) for the user named. */
export async function createToken(deps: DomainDeps, ctx: RequestContext, principal: Principal, request: TokenRequest): Promise<Result<IssuedToken>> {
  const actor = principal.user;
  let user = actor;
  if (request.username !== undefined && userNameKey(request.username) !== actor.nameKey) {
    const forOther = mayPerform(principal, 'adminChange', deps.clock.now());
    if (!forOther.ok) return fail('FORBIDDEN', 'Only an administrator may create tokens for another user');
    const found = await deps.store.findUserByNameKey(userNameKey(request.username));
    if (!found) return fail('NOT_FOUND', `User '${request.username.slice(0, 64)}' does not exist`);
    // A token that acts as another admin is that admin's sign-in: the same bar as changing their password.
    if (found.admin) {
      const powers = mayPerform(principal, 'adminPowers', deps.clock.now());
      if (!powers.ok) return powers;
    }
    user = found;
  }
  const scope = request.scope?.trim().split(/\s+/).join(' ') || USER_SCOPE;
  const grants = scopeGrants(scope);
  if (!grants.ok) return grants;
  if (grants.value.admin && !user.admin) return fail('FORBIDDEN', `Only an administrator's token may carry ${ADMIN_SCOPE}`);
  // A token never makes one with more than it has: a user-scoped token cannot mint an admin token.
  if (grants.value.admin && principal.via === 'accessToken' && principal.accessToken && !tokenIsAdmin(principal.accessToken)) {
    return fail('FORBIDDEN', `This token does not carry ${ADMIN_SCOPE}, so it cannot give it`);
  }

  // A token that makes a token (`jf atc`) hands on no more than it has: not its own end, nor a refresh
  // that would outlive it. The new token joins its maker's tree: revoking the maker revokes it.
  const parent = principal.via === 'accessToken' ? (principal.accessToken ?? null) : null;
  if (parent && request.refreshable) return fail('FORBIDDEN', 'A token cannot make a refreshable token (its refreshes would outlive it): use your password');
  const parentSecondsLeft = parent?.expiresAt ? Math.floor((parent.expiresAt - deps.clock.now()) / 1000) : null;
  const policy = await getTokenPolicy(deps);
  // Admins are not held to the longest lifetime, but only when they ask themselves (password or unlock), not through a key or token.
  const uncapped = actor.admin && ['password', 'encryptedPassword', 'session', 'sso'].includes(principal.via);
  let expiresIn = request.expiresIn ?? Math.min(policy.defaultExpiresInSeconds, uncapped ? Number.POSITIVE_INFINITY : policy.maxExpiresInSeconds);
  if (parentSecondsLeft !== null) {
    if (request.expiresIn !== undefined && (request.expiresIn === 0 || request.expiresIn > parentSecondsLeft)) {
      return fail('BAD_REQUEST', `A token can make tokens that end no later than itself, in ${parentSecondsLeft} seconds`);
    }
    expiresIn = Math.min(expiresIn === 0 ? parentSecondsLeft : expiresIn, parentSecondsLeft);
  }
  if (!Number.isInteger(expiresIn) || expiresIn < 0) return fail('BAD_REQUEST', 'expires_in must be a whole number of seconds, 0 for no expiry');
  if (expiresIn === 0 && !policy.allowNonExpiring) {
    return fail('BAD_REQUEST', 'Tokens that never expire are not allowed here: give expires_in in seconds (an admin can allow them in the token policy)');
  }
  if (!uncapped && expiresIn > policy.maxExpiresInSeconds) {
    return fail('BAD_REQUEST', `A token may live at most ${policy.maxExpiresInSeconds} seconds here: ask for less, or ask an administrator`);
  }
  if ((request.description?.length ?? 0) > 1024 || (request.audience?.length ?? 0) > 1024) {
    return fail('BAD_REQUEST', 'description and audience are limited to 1024 characters');
  }
  const now = deps.clock.now();
  const id = crypto.randomUUID();
  const { record, issued } = await issue(
    deps,
    user,
    {
      id,
      userId: user.id,
      scope,
      description: request.description?.trim() || null,
      audience: request.audience?.trim() || null,
      refreshable: request.refreshable ?? false,
      createdAt: now,
      expiresAt: expiresIn === 0 ? null : now + expiresIn * 1000,
      familyId: id,
      parentFamilyId: parent ? (parent.familyId ?? parent.id) : null,
    },
    request.includeReferenceToken ?? false,
  );
  const detail: Record<string, string> = { tokenId: record.id, scope };
  if (user.id !== actor.id) detail.by = actor.name;
  // A token made for someone by someone else acts as them: they hear of it.
  const mail =
    user.id === actor.id
      ? []
      : await securityNotice(deps, ctx, user, {
          subject: 'An access token was created for your Keyfob account',
          happened: `${byAdmin(actor)} created an access token that acts as your Keyfob account ${user.name} (scope ${scope}${record.expiresAt === null ? ', no expiry' : `, until ${new Date(record.expiresAt).toISOString()}`}${record.description ? `, "${quoted(record.description)}"` : ''}).`,
          ifNotYou: 'revoke the token in Keyfob (Tokens), and ask your administrator why it was made',
        });
  await deps.store.insertAccessToken(record, [auditEvent(deps, ctx, 'token-created', user, detail)], mail);
  if (mail.length > 0) deps.afterMailQueued?.();
  return ok(issued);
}

const REFRESH_REFUSED = 'This refresh token is unknown, or its token was revoked: create a new token';
const REFRESH_REUSED = 'This refresh token was used already: every token refreshed from it is revoked now, as a stolen copy may be in use';

/**
 * `grant_type=refresh_token`: a new token with the same settings and lifetime, and a new refresh token;
 * the old pair stops working. The refresh token is the credential: no other is needed.
 */
export async function refreshToken(
  deps: DomainDeps,
  ctx: RequestContext,
  refresh: string,
  accessToken?: string,
  overlapSeconds = 0,
): Promise<Result<IssuedToken>> {
  // A typo fails the checksum and is refused as unknown without a database read.
  const old = (await refreshTokenMayExist(deps, refresh)) ? await deps.store.findAccessTokenByRefresh(storedTokenHash(deps.keys, refresh)) : null;
  if (!old) return fail('BAD_CREDENTIALS', REFRESH_REFUSED);
  if (old.revokedReason === 'refreshed') {
    // A spent refresh token again: either the client or a thief has the newer one. End the family (RFC 9700 4.14.2).
    const owner = await deps.store.findUserById(old.userId);
    const mail = owner
      ? await securityNotice(deps, ctx, owner, {
          subject: 'A refresh token of your Keyfob account was used twice',
          happened: `A refresh token of your access token ${old.description ? `"${quoted(old.description)}" ` : ''}(${old.id.slice(0, 8)}…) was used again after it had been spent, so a copy of it may be in someone else's hands. That token and every token refreshed from it are revoked.`,
          ifNotYou: 'find where the token was stored (a CI variable, a log), create a new token, and tell your administrator',
        })
      : [];
    const ended = await deps.store.revokeAccessTokens(
      { id: old.id },
      deps.clock.now(),
      [auditEvent(deps, ctx, 'token-revoked', { id: old.userId }, { tokenId: old.id, reason: 'refresh token reused' })],
      mail,
    );
    if (ended > 0 && mail.length > 0) deps.afterMailQueued?.();
    return fail('TOKEN_REVOKED', REFRESH_REUSED);
  }
  if (old.revokedAt !== null) return fail('BAD_CREDENTIALS', REFRESH_REFUSED);
  if (accessToken) {
    const claims = verifyJwt(deps.keys.tokenSigningMac, accessToken);
    if (!claims || claims.jti !== old.id) return fail('BAD_REQUEST', 'The access_token given is not the one this refresh token belongs to');
  }
  const overlapMs = overlapSeconds * 1000;
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapMs > deps.settings.apiKeyOverlapMaxMs) {
    return fail('BAD_REQUEST', `overlap_seconds must be a whole number from 0 to ${Math.floor(deps.settings.apiKeyOverlapMaxMs / 1000)} on this server`);
  }
  const user = await deps.store.findUserById(old.userId);
  if (!user) return fail('BAD_CREDENTIALS', REFRESH_REFUSED);
  if (tokenIsAdmin(old) && !user.admin) return fail('FORBIDDEN', `${user.name} is no longer an administrator: this admin token cannot be refreshed`);
  const now = deps.clock.now();
  // The same lifetime, held to today's policy: a lower maximum, or non-expiring tokens switched off, reach refreshed tokens too.
  const policy = await getTokenPolicy(deps);
  const wanted = old.expiresAt === null ? (policy.allowNonExpiring ? null : policy.defaultExpiresInSeconds * 1000) : old.expiresAt - old.createdAt;
  const lifetime = wanted === null || user.admin ? wanted : Math.min(wanted, policy.maxExpiresInSeconds * 1000);
  const { record, issued } = await issue(
    deps,
    user,
    {
      id: crypto.randomUUID(),
      userId: user.id,
      scope: old.scope,
      description: old.description,
      audience: old.audience,
      refreshable: true,
      createdAt: now,
      expiresAt: lifetime === null ? null : now + lifetime,
      familyId: old.familyId ?? old.id,
      parentFamilyId: old.parentFamilyId,
    },
    old.referenceHash !== null,
  );
  // With an overlap the old token goes on working (never past its own expiry), so a tool can move over.
  const oldEndsAt = Math.min(now + overlapMs, old.expiresAt ?? Number.POSITIVE_INFINITY);
  const detail: Record<string, string> = { tokenId: record.id, replaces: old.id };
  if (oldEndsAt > now) detail.oldTokenUntil = new Date(oldEndsAt).toISOString();
  const replaced = await deps.store.replaceRefreshedToken(
    old.id,
    old.refreshHash as string,
    record,
    [auditEvent(deps, ctx, 'token-refreshed', user, detail)],
    oldEndsAt,
  );
  return replaced ? ok(issued) : fail('BAD_CREDENTIALS', REFRESH_REFUSED);
}

/** The token a value names (a JWT of ours, or a reference token), whatever its state. */
export async function findTokenByValue(deps: DomainDeps, value: string): Promise<AccessTokenRecord | null> {
  const claims = verifyJwt(deps.keys.tokenSigningMac, value);
  if (claims) return deps.store.findAccessToken(claims.jti);
  const hash = storedTokenHash(deps.keys, value);
  if (value.startsWith(REFRESH_TOKEN_PREFIX)) {
    const token = (await refreshTokenMayExist(deps, value)) ? await deps.store.findAccessTokenByRefresh(hash) : null;
    // A refresh token is spent the moment it is used, whatever overlap its access token has.
    return token && token.revokedAt === null ? token : null;
  }
  return (await referenceTokenMayExist(deps, value)) ? deps.store.findAccessTokenByReference(hash) : null;
}

/** Whether the principal may see or revoke this token: their own, or any for an admin who may read users. */
function mayHandle(deps: DomainDeps, principal: Principal, token: AccessTokenRecord, operation: 'adminRead' | 'adminChange'): boolean {
  return token.userId === principal.user.id || mayPerform(principal, operation, deps.clock.now()).ok;
}

/** Revokes one token the principal may handle; false when there is none such (or it was revoked already). */
export async function revokeToken(deps: DomainDeps, ctx: RequestContext, principal: Principal, token: AccessTokenRecord | null): Promise<boolean> {
  if (!token || tokenEnded(token, deps.clock.now()) || !mayHandle(deps, principal, token, 'adminChange')) return false;
  const owner = token.userId === principal.user.id ? principal.user : await deps.store.findUserById(token.userId);
  const detail: Record<string, string> = { tokenId: token.id };
  const bySomeoneElse = owner !== null && owner.id !== principal.user.id;
  if (bySomeoneElse) detail.by = principal.user.name;
  const mail = bySomeoneElse
    ? await securityNotice(deps, ctx, owner, {
        subject: 'An access token of your Keyfob account was revoked',
        happened: `${byAdmin(principal.user)} revoked your access token ${token.description ? `"${quoted(token.description)}" ` : ''}(${token.id.slice(0, 8)}…, scope ${token.scope}), with every token refreshed from it. Tools using it are refused from now on.`,
        ifNotYou: 'ask your administrator why; create a new token once you know your account is safe',
      })
    : [];
  const revoked = await deps.store.revokeAccessTokens(
    { id: token.id },
    deps.clock.now(),
    [auditEvent(deps, ctx, 'token-revoked', owner ?? null, detail)],
    mail,
  );
  if (revoked > 0 && mail.length > 0) deps.afterMailQueued?.();
  return revoked > 0;
}

export async function findVisibleToken(deps: DomainDeps, principal: Principal, id: string): Promise<AccessTokenRecord | null> {
  const token = id.length <= 64 ? await deps.store.findAccessToken(id) : null;
  return token && !tokenEnded(token, deps.clock.now()) && mayHandle(deps, principal, token, 'adminRead') ? token : null;
}

/** Tokens the principal may see: their own; every user's for an admin (or one user's, `username`). */
export async function listTokens(
  deps: DomainDeps,
  principal: Principal,
  username?: string,
): Promise<Result<{ token: AccessTokenRecord; owner: UserRecord; usage: CredentialUsage }[]>> {
  const all = mayPerform(principal, 'adminRead', deps.clock.now()).ok;
  let owner: UserRecord | null = null;
  if (username !== undefined) {
    owner = userNameKey(username) === principal.user.nameKey ? principal.user : all ? await deps.store.findUserByNameKey(userNameKey(username)) : null;
    if (!owner)
      return all
        ? fail('NOT_FOUND', `User '${username.slice(0, 64)}' does not exist`)
        : fail('FORBIDDEN', "Only an administrator may list other users' tokens");
  }
  const tokens = await deps.store.listAccessTokens(owner?.id ?? (all ? null : principal.user.id));
  const owners = new Map<number, UserRecord | null>([[principal.user.id, principal.user]]);
  const usageOf = await readUsage(
    deps,
    tokens.map((token) => usageKey.token(token.id)),
  );
  const rows: { token: AccessTokenRecord; owner: UserRecord; usage: CredentialUsage }[] = [];
  for (const token of tokens) {
    if (!owners.has(token.userId)) owners.set(token.userId, await deps.store.findUserById(token.userId));
    const tokenOwner = owners.get(token.userId);
    if (tokenOwner) rows.push({ token, owner: tokenOwner, usage: usageOf(usageKey.token(token.id)) });
  }
  return ok(rows);
}

/** An admin ends every token of one user, or every token of everyone. */
export async function revokeTokensOf(deps: DomainDeps, ctx: RequestContext, actor: UserRecord, user: UserRecord | null): Promise<number> {
  const audit = [auditEvent(deps, ctx, 'tokens-revoked-all', user, { by: actor.name, scope: user ? 'user' : 'all' })];
  const mail =
    user && user.id !== actor.id
      ? await securityNotice(deps, ctx, user, {
          subject: 'The access tokens of your Keyfob account were revoked',
          happened: `${byAdmin(actor)} revoked every access token of your Keyfob account ${user.name}. Tools using them are refused from now on.`,
          ifNotYou: 'ask your administrator why; create new tokens once you know your account is safe',
        })
      : [];
  const revoked = await deps.store.revokeAccessTokens(user ? { userId: user.id } : 'all', deps.clock.now(), audit, mail);
  if (revoked > 0 && mail.length > 0) deps.afterMailQueued?.();
  return revoked;
}

/** How JFrog's Access API describes a token (times in seconds since the epoch). */
export function describeToken(token: AccessTokenRecord, owner: Pick<UserRecord, 'name'>, usage?: CredentialUsage) {
  return {
    token_id: token.id,
    subject: `${TOKEN_ISSUER}/users/${owner.name}`,
    ...(token.expiresAt === null ? {} : { expiry: Math.floor(token.expiresAt / 1000) }),
    issued_at: Math.floor(token.createdAt / 1000),
    issuer: TOKEN_ISSUER,
    ...(token.description ? { description: token.description } : {}),
    refreshable: token.refreshable,
    scope: token.scope,
    ...(token.lastUsedAt === null ? {} : { last_used: Math.floor(token.lastUsedAt / 1000) }),
    ...(usage && { usage }),
  };
}
