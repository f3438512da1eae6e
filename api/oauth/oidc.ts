/**
 * OpenID Connect as a relying party, with oauth4webapi (Web standards only: fetch and Web Crypto, so it
 * runs on every runtime): discovery, the authorization-code flow with PKCE (S256), a nonce, and the
 * checks of the callback (state, `iss`) and of the ID token (issuer, audience, expiry, nonce, signature).
 */
import * as oauth from 'oauth4webapi';

export interface OAuthProviderConfig {
  id: string;
  name: string;
  /** `oidc` (OpenID Connect, by discovery; Google is one) or `github-enterprise` (plain OAuth 2 and the user API). */
  type: 'oidc' | 'github-enterprise';
  /** The issuer (OpenID Connect), or the GitHub Enterprise server's address. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Make users of realm oauth when an unknown identity signs in. */
  createUsers: boolean;
  /** When not empty, `createUsers` makes users only for a verified e-mail address in one of these domains (lower case). */
  allowedDomains: string[];
  /** When set, `createUsers` makes users only for identities whose `hd` claim (Google Workspace) is this domain. */
  hostedDomain: string | null;
}

export interface StartedFlow {
  authorizationUrl: string;
  state: string;
  codeVerifier: string;
  nonce: string;
}

export interface VerifiedIdentity {
  subject: string;
  /** Only an address the provider says it verified; null otherwise. */
  email: string | null;
  /** A hint only: not unique at the provider (OIDC Core 5.7), so never what an identity is matched by. */
  preferredUsername: string | null;
  /** Google's `hd`: the Workspace domain of the account, null for others. */
  hostedDomain: string | null;
}

/** The callback could not be trusted or completed; the message is safe to show. */
export class OAuthCallbackError extends Error {}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export interface OidcClient {
  start(redirectUri: string): Promise<StartedFlow>;
  finish(callbackUrl: URL, redirectUri: string, expected: { state: string; codeVerifier: string; nonce: string }): Promise<VerifiedIdentity>;
}

export function createOidcClient(provider: OAuthProviderConfig): OidcClient {
  const issuer = new URL(provider.issuer);
  // Plain http only for a provider on this machine (tests, development); anything else must be https.
  const requestOptions = isLoopback(issuer) ? { [oauth.allowInsecureRequests]: true } : {};
  const client: oauth.Client = { client_id: provider.clientId };
  const clientAuth = oauth.ClientSecretBasic(provider.clientSecret);
  let discovered: Promise<oauth.AuthorizationServer> | null = null;
  const authorizationServer = () => {
    discovered ??= oauth
      .discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions })
      .then((response) => oauth.processDiscoveryResponse(issuer, response))
      .catch((err) => {
        discovered = null; // try again next time
        throw err;
      });
    return discovered;
  };

  return {
    async start(redirectUri) {
      const as = await authorizationServer();
      if (!as.authorization_endpoint) throw new Error('the provider has no authorization endpoint');
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = new URL(as.authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: provider.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid email profile',
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      }).toString();
      return { authorizationUrl: url.toString(), state, codeVerifier, nonce };
    },
    async finish(callbackUrl, redirectUri, expected) {
      const as = await authorizationServer();
      let params: URLSearchParams;
      try {
        params = oauth.validateAuthResponse(as, client, callbackUrl, expected.state);
      } catch (err) {
        throw new OAuthCallbackError(describe(err, 'The provider did not answer as expected'));
      }
      let result: oauth.TokenEndpointResponse;
      try {
        const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, expected.codeVerifier, requestOptions);
        result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: expected.nonce, requireIdToken: true });
      } catch (err) {
        throw new OAuthCallbackError(describe(err, 'The provider refused the sign-in'));
      }
      const claims = oauth.getValidatedIdTokenClaims(result);
      if (!claims?.sub) throw new OAuthCallbackError('The provider sent no identity');
      // Only an address the provider vouches for: a missing email_verified is not a yes.
      const email = typeof claims.email === 'string' && claims.email_verified === true ? claims.email : null;
      return {
        subject: claims.sub,
        email,
        preferredUsername: typeof claims.preferred_username === 'string' ? claims.preferred_username : null,
        hostedDomain: typeof claims.hd === 'string' ? claims.hd : null,
      };
    },
  };
}

/** A message for the user: the kind of failure, never tokens or codes. */
function describe(err: unknown, fallback: string): string {
  if (err instanceof oauth.AuthorizationResponseError) return `The provider said: ${err.error}`;
  if (err instanceof oauth.ResponseBodyError) return `The provider refused: ${err.error}`;
  const code = (err as { code?: string }).code;
  if (code === 'OAUTH_INVALID_RESPONSE' || code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') return `${fallback}: ${(err as Error).message}`;
  return fallback;
}

/**
 * GitHub Enterprise Server: OAuth 2 without OpenID Connect. The identity comes from its REST API
 * (`/api/v3/user`, and `/api/v3/user/emails` for a verified primary email), with the access token the
 * code was exchanged for; the subject is the account's numeric id, which survives renames.
 */
export function createGithubEnterpriseClient(provider: OAuthProviderConfig): OidcClient {
  const base = new URL(`${provider.issuer.replace(/\/+$/, '')}/`);
  const requestOptions = isLoopback(base) ? { [oauth.allowInsecureRequests]: true } : {};
  const as: oauth.AuthorizationServer = {
    issuer: base.origin,
    authorization_endpoint: new URL('login/oauth/authorize', base).toString(),
    token_endpoint: new URL('login/oauth/access_token', base).toString(),
  };
  const client: oauth.Client = { client_id: provider.clientId };
  const clientAuth = oauth.ClientSecretPost(provider.clientSecret);
  const api = (path: string, token: string) =>
    fetch(new URL(`api/v3/${path}`, base), { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' } });

  return {
    async start(redirectUri) {
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({
        client_id: provider.clientId,
        redirect_uri: redirectUri,
        scope: 'read:user user:email',
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
      }).toString();
      // No nonce: there is no ID token to carry one.
      return { authorizationUrl: url.toString(), state, codeVerifier, nonce: '' };
    },
    async finish(callbackUrl, redirectUri, expected) {
      let params: URLSearchParams;
      try {
        params = oauth.validateAuthResponse(as, client, callbackUrl, expected.state);
      } catch (err) {
        throw new OAuthCallbackError(describe(err, 'The provider did not answer as expected'));
      }
      let token: string;
      try {
        const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, expected.codeVerifier, {
          ...requestOptions,
          headers: new Headers({ accept: 'application/json' }),
        });
        token = (await oauth.processAuthorizationCodeResponse(as, client, response)).access_token;
      } catch (err) {
        throw new OAuthCallbackError(describe(err, 'The provider refused the sign-in'));
      }
      const user = await api('user', token);
      if (!user.ok) throw new OAuthCallbackError('GitHub Enterprise did not say who signed in');
      const profile = (await user.json()) as { id?: number; login?: string };
      if (typeof profile.id !== 'number') throw new OAuthCallbackError('GitHub Enterprise sent no account id');
      // The profile's public email is whatever the user typed: only a verified primary address counts.
      let email: string | null = null;
      const emails = await api('user/emails', token);
      if (emails.ok) {
        const list = (await emails.json()) as { email: string; primary: boolean; verified: boolean }[];
        email = list.find((e) => e.primary && e.verified === true)?.email ?? null;
      }
      return { subject: String(profile.id), email, preferredUsername: profile.login ?? null, hostedDomain: null };
    },
  };
}

export function createOAuthClient(provider: OAuthProviderConfig): OidcClient {
  return provider.type === 'github-enterprise' ? createGithubEnterpriseClient(provider) : createOidcClient(provider);
}
