/**
 * The popup's client for Keyfob's /api/v1 calls and the Access API's token calls. Every failure becomes a
 * KeyfobError with a code the popup turns into a plain message; nothing here logs, and no secret goes into an error.
 */
import { readError, type ErrorCode } from '../../shared/errors';
import type { PasswordPolicy } from '../../shared/passwordPolicy';
import type {
  AccessTokenInfo,
  ActivityEvent,
  AuthMethodsReply,
  BintraySummary,
  BintrayTestReply,
  IssuedTokenReply,
  OAuthBindApprovalReply,
  OAuthIdentity,
  OAuthProviderList,
  ProfileReply,
  RevealedApiKey,
  SessionList,
  SessionReply,
  SessionSummary,
  SshKeyReply,
} from '../../shared/schemas';

/** Codes the server sends, plus the ones only a client can see. */
export type ClientErrorCode = ErrorCode | 'UNREACHABLE' | 'NOT_KEYFOB';

export class KeyfobError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface KeyfobClient {
  ping(): Promise<void>;
  /** `idleMinutes`: the auto-lock choice the server's unlock should follow (null: as long as the server allows). */
  signIn(username: string, password: string, idleMinutes?: number | null): Promise<SessionReply>;
  authMethods(): Promise<AuthMethodsReply>;
  /** Sign-in through the HTTP SSO proxy in front of Keyfob: its cookies go along, so the proxy knows the user. */
  signInWithSso(): Promise<SessionReply>;
  signOut(): Promise<void>;
  profile(): Promise<ProfileReply>;
  unlock(password: string, idleMinutes?: number | null): Promise<ProfileReply>;
  lock(): Promise<ProfileReply>;
  revealApiKey(): Promise<RevealedApiKey>;
  generateApiKey(): Promise<RevealedApiKey>;
  /** `overlapSeconds`: how long the old key keeps working beside the new one (0: not at all). */
  regenerateApiKey(overlapSeconds?: number): Promise<RevealedApiKey>;
  /** Ends the old key's overlap now. */
  endOldApiKey(): Promise<ProfileReply>;
  revokeApiKey(): Promise<ProfileReply>;
  revealEncryptedPassword(): Promise<string>;
  updateEmail(email: string): Promise<ProfileReply>;
  changePassword(oldPassword: string, newPassword1: string, newPassword2: string): Promise<ProfileReply>;
  changePasswordAndSignIn(username: string, oldPassword: string, newPassword1: string, newPassword2: string): Promise<SessionReply>;
  requestPasswordReset(username: string): Promise<string>;
  passwordPolicy(): Promise<PasswordPolicy>;
  activity(): Promise<ActivityEvent[]>;
  addSshKey(name: string, publicKey: string): Promise<SshKeyReply>;
  removeSshKey(id: number): Promise<SshKeyReply[]>;
  saveBintray(username: string, apiKey: string): Promise<BintraySummary | null>;
  removeBintray(): Promise<void>;
  revealBintrayKey(): Promise<string>;
  oauthProviders(): Promise<OAuthProviderList['providers']>;
  oauthStartSignIn(provider: string): Promise<{ authorizationUrl: string; claim: string }>;
  /** The session of a finished OAuth or SAML sign-in, for the claim and the completion code of the tab; null while pending. */
  oauthClaim(claim: string, code: string): Promise<SessionReply | null>;
  oauthStartBind(provider: string): Promise<string>;
  /** This session approves the bind it started, with the completion code of its tab: bound, or waiting for the page's confirmation. */
  oauthApproveBind(code: string): Promise<'bound' | 'waiting'>;
  oauthIdentities(): Promise<OAuthIdentity[]>;
  oauthUnbind(provider: string): Promise<OAuthIdentity[]>;
  testBintray(typed: { username?: string; apiKey?: string }): Promise<BintrayTestReply>;
  /** An identity token (JFrog's Access API, acting as this user): its value is in this reply only. Needs an unlocked session. */
  createToken(description: string, expiresInSeconds: number): Promise<IssuedTokenReply>;
  /** This user's live access tokens, newest first. Named, so that an admin too gets only their own. */
  listTokens(username: string): Promise<AccessTokenInfo[]>;
  /** Ends one token; one already gone (204) is no failure, as it no longer works either way. */
  revokeToken(tokenId: string): Promise<void>;
  /** Informational mail (expiry reminders) on or off; security mail always goes. */
  setInformationalMail(on: boolean): Promise<ProfileReply>;
  /** This user's browser sessions, newest first (needs an unlocked session). */
  listSessions(): Promise<SessionSummary[]>;
  endSession(id: string): Promise<void>;
}

/** JFrog's Access API, which Keyfob answers outside /api/v1 so JFrog's own clients find it. */
const TOKENS = '/access/api/v1/tokens';

export function createKeyfobClient(serverUrl: string, token: string | null, fetchImpl: typeof fetch = fetch): KeyfobClient {
  const base = serverUrl.replace(/\/+$/, '');

  /** `reply: 'text'` for the few calls that answer plain text; `withCookies` only for the SSO proxy's sign-in. */
  async function request<T>(method: string, path: string, body?: unknown, options: { reply?: 'json' | 'text'; withCookies?: boolean } = {}): Promise<T> {
    const parse = options.reply ?? 'json';
    const credentials: RequestCredentials = options.withCookies ? 'include' : 'omit';
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials });
    } catch {
      throw new KeyfobError('UNREACHABLE', `Can't reach Keyfob at ${base}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not Keyfob's error shape */
      }
      const error = readError(parsed);
      if (!error) throw new KeyfobError('NOT_KEYFOB', `${base} answered ${response.status}, which is not a Keyfob answer`);
      const retryAfter = Number(response.headers.get('retry-after')) || undefined;
      throw new KeyfobError((error.code as ErrorCode | undefined) ?? 'BAD_REQUEST', error.message, retryAfter);
    }
    if (parse === 'text') return text as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KeyfobError('NOT_KEYFOB', `${base} did not answer like a Keyfob server`);
    }
  }

  return {
    async ping() {
      const answer = await request<string>('GET', '/artifactory/api/system/ping', undefined, { reply: 'text' });
      if (answer.trim() !== 'OK') throw new KeyfobError('NOT_KEYFOB', `${base} did not answer like a Keyfob server`);
    },
    signIn: (username, password, idleMinutes) => request('POST', '/api/v1/session', { username, password, idleMinutes }),
    authMethods: () => request('GET', '/api/v1/authMethods'),
    signInWithSso: () => request('POST', '/api/v1/session/sso', undefined, { withCookies: true }),
    signOut: () => request('DELETE', '/api/v1/session'),
    profile: () => request('GET', '/api/v1/profile'),
    unlock: async (password, idleMinutes) => (await request<{ profile: ProfileReply }>('POST', '/api/v1/session/unlock', { password, idleMinutes })).profile,
    lock: async () => (await request<{ profile: ProfileReply }>('POST', '/api/v1/session/lock')).profile,
    revealApiKey: () => request('GET', '/api/v1/profile/apiKey'),
    generateApiKey: () => request('POST', '/api/v1/profile/apiKey'),
    regenerateApiKey: (overlapSeconds = 0) => request('PUT', '/api/v1/profile/apiKey', { overlapSeconds }),
    endOldApiKey: () => request('DELETE', '/api/v1/profile/apiKey/previous'),
    revokeApiKey: () => request('DELETE', '/api/v1/profile/apiKey'),
    revealEncryptedPassword: async () => (await request<{ encryptedPassword: string }>('GET', '/api/v1/profile/encryptedPassword')).encryptedPassword,
    updateEmail: (email) => request('PATCH', '/api/v1/profile', { email }),
    changePassword: (oldPassword, newPassword1, newPassword2) => request('POST', '/api/v1/profile/password', { oldPassword, newPassword1, newPassword2 }),
    changePasswordAndSignIn: (username, oldPassword, newPassword1, newPassword2) =>
      request('POST', '/api/v1/session/password', { username, oldPassword, newPassword1, newPassword2 }),
    requestPasswordReset: async (username) => (await request<{ info: string }>('POST', '/api/v1/passwordReset', { username })).info,
    passwordPolicy: () => request('GET', '/api/v1/passwordPolicy'),
    activity: async () => (await request<{ events: ActivityEvent[] }>('GET', '/api/v1/profile/activity')).events,
    addSshKey: (name, publicKey) => request('POST', '/api/v1/profile/sshKeys', { name: name || undefined, publicKey }),
    removeSshKey: async (id) => (await request<{ keys: SshKeyReply[] }>('DELETE', `/api/v1/profile/sshKeys/${id}`)).keys,
    saveBintray: async (username, apiKey) =>
      (await request<{ bintray: BintraySummary | null }>('PUT', '/api/v1/profile/bintray', { username, apiKey })).bintray,
    removeBintray: async () => void (await request('DELETE', '/api/v1/profile/bintray')),
    revealBintrayKey: async () => (await request<{ apiKey: string }>('GET', '/api/v1/profile/bintray/apiKey')).apiKey,
    testBintray: (typed) => request('POST', '/api/v1/profile/bintray/test', typed),
    oauthProviders: async () => (await request<OAuthProviderList>('GET', '/api/v1/oauth/providers')).providers,
    oauthStartSignIn: (provider) => request('POST', `/api/v1/oauth/${encodeURIComponent(provider)}/signIn`),
    oauthClaim: async (claim, code) => {
      const reply = await request<SessionReply | { info: string }>('POST', '/api/v1/oauth/claim', { claim, code });
      return 'token' in reply ? reply : null;
    },
    oauthStartBind: async (provider) =>
      (await request<{ authorizationUrl: string }>('POST', `/api/v1/oauth/${encodeURIComponent(provider)}/bind`)).authorizationUrl,
    oauthApproveBind: async (code) => (await request<OAuthBindApprovalReply>('POST', '/api/v1/oauth/approve', { code })).status,
    oauthIdentities: async () => (await request<{ identities: OAuthIdentity[] }>('GET', '/api/v1/profile/oauth')).identities,
    createToken: (description, expiresInSeconds) => request('POST', TOKENS, { description, expires_in: expiresInSeconds, scope: 'applied-permissions/user' }),
    listTokens: async (username) => (await request<{ tokens: AccessTokenInfo[] }>('GET', `${TOKENS}?username=${encodeURIComponent(username)}`)).tokens,
    // The reply is text ("Token revoked"), or nothing at all for 204.
    setInformationalMail: (on) => request('PUT', '/api/v1/profile/notifications', { informational: on }),
    listSessions: async () => (await request<SessionList>('GET', '/api/v1/sessions')).sessions,
    endSession: async (id) => void (await request('DELETE', `/api/v1/sessions/${encodeURIComponent(id)}`)),
    revokeToken: async (tokenId) => void (await request('DELETE', `${TOKENS}/${encodeURIComponent(tokenId)}`, undefined, { reply: 'text' })),
    oauthUnbind: async (provider) =>
      (await request<{ identities: OAuthIdentity[] }>('DELETE', `/api/v1/profile/oauth/${encodeURIComponent(provider)}`)).identities,
  };
}

/** "1 second", "30 seconds", or "a few seconds" when the server did not say. */
function inSeconds(seconds: number | undefined): string {
  if (!seconds) return 'a few seconds';
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** Where a failure happened, where that changes the words: on the unlock screen there is no user name to get wrong. */
export type ErrorContext = 'unlock' | 'api-key' | 'other';

/** What to tell the user, and what they can do next. Never raw JSON, never a blank popup. */
export function describeError(
  error: unknown,
  context: ErrorContext = 'other',
): { message: string; next: 'retry' | 'sign-in' | 'unlock' | 'setup' | 'wait' | 'ask-admin' | 'none' } {
  if (!(error instanceof KeyfobError)) return { message: 'Something went wrong. Try again.', next: 'retry' };
  switch (error.code) {
    case 'UNREACHABLE':
      return { message: `${error.message}. Is the server running, and is the address right?`, next: 'retry' };
    case 'NOT_KEYFOB':
      return { message: `${error.message}. Check the server address.`, next: 'setup' };
    case 'BAD_CREDENTIALS':
      return { message: context === 'unlock' ? 'Wrong password.' : 'Wrong user name or password.', next: 'none' };
    case 'THROTTLED':
      return { message: `Too many failed attempts. Try again in ${inSeconds(error.retryAfterSeconds)}.`, next: 'wait' };
    case 'USER_LOCKED':
      return { message: 'Your account is locked after too many failed sign-ins. Ask your Keyfob administrator to unlock it.', next: 'ask-admin' };
    case 'SESSION_EXPIRED':
    case 'UNAUTHENTICATED':
      return { message: 'Your session has ended. Sign in again.', next: 'sign-in' };
    case 'UNLOCK_REQUIRED':
      return { message: 'Your Keyfob server ended the unlock. Enter your password to unlock again.', next: 'unlock' };
    case 'PASSWORD_EXPIRED':
      return { message: 'Your password has expired: choose a new one to sign in.', next: 'sign-in' };
    case 'RATE_LIMITED':
      return { message: `Too many attempts from here. Try again in ${inSeconds(error.retryAfterSeconds)}.`, next: 'wait' };
    case 'EXTERNAL_REALM':
      return { message: error.message, next: 'ask-admin' };
    case 'NOT_FOUND':
      return { message: error.message, next: 'none' };
    case 'CONFLICT':
      // Only the API key calls know what the conflict was; everywhere else the server's words say it.
      return { message: context === 'api-key' ? 'You already have an API key (made elsewhere). Showing it now.' : error.message, next: 'none' };
    default:
      return { message: error.message || 'Something went wrong. Try again.', next: 'retry' };
  }
}
