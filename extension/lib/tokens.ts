/**
 * The popup's Tokens tab apart from its rendering: the expiry choices, generating an identity token, revoking
 * one after asking, and how a listed token reads. Each step returns the tab's next state; a failure of the
 * server's is thrown, for the tab to show beside the form or hand to the popup's recovery (sign in, unlock).
 */
import type { AccessTokenInfo } from '../../shared/schemas';
import type { KeyfobClient } from './api';
import { lastUse, unusedLong } from './usage';

const DAY = 86_400;

/**
 * What the popup offers. GET /settings/tokenPolicy is for admins only, so the popup cannot know an admin's
 * shorter limit: it offers these and shows the server's message when one is refused.
 */
export const TOKEN_EXPIRIES = [
  { label: '1 day', seconds: DAY },
  { label: '30 days', seconds: 30 * DAY },
  { label: '90 days', seconds: 90 * DAY },
  { label: '1 year', seconds: 365 * DAY },
] as const;
export const DEFAULT_TOKEN_EXPIRY = 30 * DAY;

export interface TokensState {
  /** The user's live tokens, newest first; null until loaded. */
  tokens: AccessTokenInfo[] | null;
  /** The token just generated. Its value is shown this once and is kept here only, in the popup's memory. */
  fresh: { id: string; value: string } | null;
  /** The token whose Revoke waits for confirmation. */
  confirming: AccessTokenInfo | null;
  /** A mistake in what was typed. */
  problem: string;
  /** What the last step did, for the popup's status line. */
  status: string;
}

export const INITIAL_TOKENS: TokensState = { tokens: null, fresh: null, confirming: null, problem: '', status: '' };

export async function loadTokens(client: KeyfobClient, username: string, state: TokensState): Promise<TokensState> {
  return { ...state, tokens: await client.listTokens(username), problem: '', status: '' };
}

/** Generates an identity token as the user, from the form's fields (`description`, `expiresIn` in seconds). */
export async function generateToken(
  client: KeyfobClient,
  username: string,
  state: TokensState,
  fields: { description?: string; expiresIn?: string },
): Promise<TokensState> {
  const description = (fields.description ?? '').trim();
  const expiresIn = Number(fields.expiresIn);
  // Required here (the API has it optional): the list and Revoke's question tell tokens apart by it.
  if (!description) return { ...state, problem: 'Say what the token is for, so you can tell it apart later.', status: '' };
  if (description.length > 1024) return { ...state, problem: 'Keep the description to 1024 characters.', status: '' };
  if (!TOKEN_EXPIRIES.some((choice) => choice.seconds === expiresIn)) return { ...state, problem: 'Choose when the token expires.', status: '' };
  const issued = await client.createToken(description, expiresIn);
  // The token exists now and this is the one chance to show it: a failed refresh of the list must not lose it.
  const tokens = await client.listTokens(username).catch(() => state.tokens);
  return { tokens, fresh: { id: issued.token_id, value: issued.access_token }, confirming: null, problem: '', status: 'Token generated: copy it now' };
}

export function askRevoke(state: TokensState, token: AccessTokenInfo): TokensState {
  return { ...state, confirming: token, problem: '', status: '' };
}

export function cancelRevoke(state: TokensState): TokensState {
  return { ...state, confirming: null };
}

/** Revokes the token that Revoke asked about. */
export async function revokeConfirmed(client: KeyfobClient, state: TokensState): Promise<TokensState> {
  const token = state.confirming;
  if (!token) return state;
  await client.revokeToken(token.token_id);
  return {
    tokens: state.tokens?.filter((t) => t.token_id !== token.token_id) ?? null,
    fresh: state.fresh?.id === token.token_id ? null : state.fresh,
    confirming: null,
    problem: '',
    status: `Token “${tokenTitle(token)}” revoked`,
  };
}

export function tokenTitle(token: AccessTokenInfo): string {
  return token.description ?? `No description (${token.token_id.slice(0, 8)})`;
}

const SCOPE_WORDS: Record<string, string> = {
  'applied-permissions/user': 'acts as you',
  'applied-permissions/admin': 'acts as you, with admin rights',
};

export interface TokenRow {
  id: string;
  title: string;
  scope: string;
  created: string;
  expires: string;
  /** "3 minutes ago from 10.1.2.3 (curl/8.5.0)", or "never". */
  lastUsed: string;
  /** Unused for 90 days (or never used, made that long ago): worth asking whether it is still needed. */
  unused: boolean;
}

/** How one token reads in the list (the API's times are seconds since the epoch). */
export function tokenRow(token: AccessTokenInfo, locale?: string, now?: number): TokenRow {
  const day = (seconds: number) => new Date(seconds * 1000).toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
  const words = SCOPE_WORDS[token.scope];
  return {
    id: token.token_id,
    title: tokenTitle(token),
    scope: words ? `${token.scope} (${words})` : token.scope,
    created: day(token.issued_at),
    expires: token.expiry === undefined ? 'never' : day(token.expiry),
    lastUsed: lastUse(token.last_used === undefined ? null : new Date(token.last_used * 1000).toISOString(), token.usage, now),
    unused: unusedLong(
      new Date(token.issued_at * 1000).toISOString(),
      token.last_used === undefined ? null : new Date(token.last_used * 1000).toISOString(),
      now,
    ),
  };
}

/** The first and last four characters, as the API key is shown. */
export function maskToken(value: string): string {
  return `${value.slice(0, 4)}••••••••${value.slice(-4)}`;
}
