/** What a token's scope grants in Keyfob (tokens.ts issues them; access.ts and credentials.ts read them). */
import type { AccessTokenRecord } from './records';
import { fail, ok, type Result } from './result';

export const USER_SCOPE = 'applied-permissions/user';
export const ADMIN_SCOPE = 'applied-permissions/admin';

/**
 * What a scope grants in Keyfob: the user's rights, or an admin's. JFrog's other scopes either map onto
 * that (group memberships carry no permissions of their own here, so they act as the user) or are
 * refused, saying why.
 */
export function scopeGrants(scope: string): Result<{ admin: boolean }> {
  let admin = false;
  for (const part of scope.split(/\s+/).filter(Boolean)) {
    if (part === ADMIN_SCOPE || /^jf[a-z]+@[^\s:]+:admin$/.test(part)) admin = true;
    else if (part === USER_SCOPE || part === 'api:*' || part.startsWith('applied-permissions/groups:') || part.startsWith('member-of-groups:')) continue;
    else return fail('BAD_REQUEST', `Scope '${part.slice(0, 80)}' has no meaning in Keyfob: use ${USER_SCOPE} or ${ADMIN_SCOPE}`);
  }
  return ok({ admin });
}

export function tokenIsAdmin(token: Pick<AccessTokenRecord, 'scope'>): boolean {
  const grants = scopeGrants(token.scope);
  return grants.ok && grants.value.admin;
}
