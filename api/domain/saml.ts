/**
 * SAML 2.0 sign-in, SP-initiated: Keyfob sends the user to the identity provider with an AuthnRequest
 * (HTTP-Redirect) and a RelayState that names the flow; the provider posts back a signed response
 * (HTTP-POST) that the service provider adapter checks: signature, audience, recipient, time, and the
 * request it answers, once. Then it finishes as OAuth does (domain/oauth.ts): the tab gets a completion
 * code, and the session goes only to the claim and that code together.
 */
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { seal } from '../crypto/keyring';
import { storedTokenHash } from '../crypto/secrets';
import type { DomainDeps, RequestContext } from './deps';
import { userForExternalIdentity } from './externalUsers';
import { newFlow, recordOutcome } from './oauth';
import { fail, ok, type Result } from './result';

export const SAML_ACS_PATH = '/api/v1/saml/acs';
export const SAML_METADATA_PATH = '/api/v1/saml/metadata';
export const SAML_PROVIDER_ID = 'saml';

/** The identity the provider vouched for, after every check passed. */
export interface SamlIdentity {
  nameId: string;
  email: string | null;
}

/** The SAML service provider, on runtimes that have one (Node: @node-saml/node-saml). */
export interface SamlServiceProvider {
  name: string;
  createUsers: boolean;
  /** Where to send the user: the provider's sign-in with an AuthnRequest, carrying `relayState`. */
  loginUrl(relayState: string): Promise<string>;
  /** Checks a posted SAMLResponse; throws SamlRejected with a reason safe to show. */
  validate(samlResponse: string): Promise<SamlIdentity>;
  metadata(): string;
}

export class SamlRejected extends Error {}

export interface SamlDeps extends DomainDeps {
  saml?: SamlServiceProvider;
}

export async function startSamlSignIn(deps: SamlDeps): Promise<Result<{ authorizationUrl: string; claim: string }>> {
  if (!deps.saml) return fail('NOT_FOUND', 'SAML sign-in is not set up here');
  const relayState = encodeBase32LowerCaseNoPadding(deps.randomBytes(20));
  const claim = encodeBase32LowerCaseNoPadding(deps.randomBytes(20));
  let url: string;
  try {
    url = await deps.saml.loginUrl(relayState);
  } catch {
    return fail('UNAVAILABLE', `${deps.saml.name} cannot be reached: try again later`);
  }
  const stateHash = storedTokenHash(deps.keys, relayState);
  await deps.store.insertOAuthFlow(
    newFlow(deps, {
      stateHash,
      provider: SAML_PROVIDER_ID,
      purpose: 'sign-in',
      sessionHash: null,
      claimHash: storedTokenHash(deps.keys, claim),
      // Nothing to keep secret here: the request ID lives with the service provider's own cache.
      sealedSecrets: await seal(deps.keys, '{}', `saml-flow:${stateHash}`, deps.randomBytes),
    }),
  );
  return ok({ authorizationUrl: url, claim });
}

/**
 * The provider posted its response: check it, find or make the user, and return the completion code for
 * this tab alone; the session waits for the claim and that code.
 */
export async function handleSamlResponse(deps: SamlDeps, ctx: RequestContext, samlResponse: string, relayState: string): Promise<Result<{ code: string }>> {
  if (!deps.saml) return fail('NOT_FOUND', 'SAML sign-in is not set up here');
  const flow = relayState ? await deps.store.findOAuthFlow(storedTokenHash(deps.keys, relayState)) : null;
  if (!flow || flow.provider !== SAML_PROVIDER_ID || flow.expiresAt <= deps.clock.now()) {
    return fail('BAD_REQUEST', 'This sign-in is unknown or has expired: start again from Keyfob');
  }
  let identity: SamlIdentity;
  try {
    identity = await deps.saml.validate(samlResponse);
  } catch (err) {
    return fail('BAD_REQUEST', err instanceof SamlRejected ? err.message : 'The response of the identity provider could not be checked');
  }
  // Single use, whatever the provider sends again.
  if (!(await deps.store.completeOAuthFlow(flow.stateHash, deps.clock.now()))) {
    return fail('BAD_REQUEST', 'This sign-in was already used: start again from Keyfob');
  }
  const user = await userForExternalIdentity(deps, ctx, 'saml', identity.nameId, { create: deps.saml.createUsers, email: identity.email });
  if (!user.ok) return user;
  // No lock check: the sign-in lock stops password guesses, and this is no password (domain/lockout.ts).
  return ok({ code: await recordOutcome(deps, flow, { userId: user.value.id, subject: identity.nameId, email: identity.email }) });
}
