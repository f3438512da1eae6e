/**
 * The popup's states and the transitions between them, apart from any rendering so they can be tested
 * directly. Revealed secrets are not part of this state: the view keeps them in memory only.
 */
import type { ProfileReply, RevealedApiKey } from '../../shared/schemas';
import { autoLockMs, idleExpired } from './autolock';
import { describeError, KeyfobError, type ErrorContext, type KeyfobClient } from './api';
import { DEFAULT_SERVER_URL, type AutoLock, type Settings, type Startup } from './storage';

export type View =
  | { name: 'loading' }
  /** `plainHttp`: the address is plain http:// to another machine, and the user is asked once before connecting. */
  | { name: 'setup'; serverUrl: string; error?: string; plainHttp?: boolean }
  | { name: 'sign-in'; serverUrl: string; error?: string; notice?: string }
  | { name: 'forgot'; serverUrl: string; error?: string }
  | { name: 'expired'; serverUrl: string; username: string; error?: string }
  | { name: 'locked'; serverUrl: string; profile: ProfileReply; error?: string; notice?: string }
  | { name: 'unlocked'; serverUrl: string; profile: ProfileReply; error?: string; notice?: string }
  | { name: 'unreachable'; serverUrl: string; error: string };

export interface PopupDeps {
  /** Settings, token and last activity together: what opening the popup reads. */
  startup(): Promise<Startup>;
  settings(): Promise<Settings>;
  saveServerUrl(url: string): Promise<void>;
  /** The address typed on the setup view, kept (in session storage) while Chrome's permission prompt closes the popup. */
  draftServerUrl(): Promise<string | null>;
  saveDraftServerUrl(url: string | null): Promise<void>;
  /** Whether host permission for this origin is already held, without asking. */
  hasOrigin(origin: string): Promise<boolean>;
  token(): Promise<string | null>;
  saveToken(token: string | null): Promise<void>;
  lastActivity(): Promise<number | null>;
  /** Records activity (and restarts the background's auto-lock timer). */
  touch(): Promise<void>;
  client(serverUrl: string, token: string | null): KeyfobClient;
  /** Asks for host permission for this origin; true when granted (or already held). */
  requestOrigin(origin: string): Promise<boolean>;
  /** Has the background run an OAuth sign-in in a tab of its own (the popup closes when that tab opens). */
  startOAuthSignIn(serverUrl: string, provider: string): Promise<void>;
  now(): number;
}

/** True for an http:// server on another machine: the password, the session token and revealed keys would travel in clear. */
export function isPlainHttpRemote(serverUrl: string): boolean {
  try {
    const url = new URL(serverUrl);
    if (url.protocol !== 'http:') return false;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return !(host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
  } catch {
    return false;
  }
}

export const PLAIN_HTTP_WARNING =
  'This server is reached over plain http:// on another machine: your password, your session and any key you reveal travel unencrypted. Use https:// if the server offers it.';

/** A server address as the user typed it, normalised to an origin; null when it is not http(s). */
export function normaliseServerUrl(input: string): string | null {
  try {
    const url = new URL(input.trim().includes('://') ? input.trim() : `http://${input.trim()}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

function profileView(serverUrl: string, profile: ProfileReply): View {
  if (profile.unlocked) return { name: 'unlocked', serverUrl, profile };
  const notice = unlockEndedNotice(profile);
  return notice ? { name: 'locked', serverUrl, profile, notice } : { name: 'locked', serverUrl, profile };
}

/** A time of day, with the day when it is not today. */
function clockTime(iso: string, now: number): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return at.toLocaleTimeString(undefined, sameDay ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

export function minutesInWords(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Why the server locked: its maximum was reached, or the unlock went unused (the popup's own auto-lock says nothing here, it calls Lock). */
export function unlockEndedNotice(profile: ProfileReply, now = Date.now()): string | null {
  if (!profile.unlockEnded) return null;
  const at = clockTime(profile.unlockEnded.at, now);
  return profile.unlockEnded.by === 'limit'
    ? `Your Keyfob server ended the unlock at ${at}: it keeps one open ${minutesInWords(profile.unlockMaxMinutes)} at most. Enter your password to unlock again.`
    : `Your Keyfob server ended the unlock at ${at}, after a time without use. Enter your password to unlock again.`;
}

/** When an unlocked popup locks, in words: the user's auto-lock choice, and the server's limit, which comes first if it is nearer. */
export function lockNote(profile: ProfileReply, autoLock: AutoLock, now = Date.now()): string {
  const choice = autoLock === 'restart' ? 'Locks when the browser restarts' : `Locks after ${minutesInWords(Number(autoLock))} without use`;
  if (!profile.unlockEndsAt) return `${choice}.`;
  return `${choice}, and at ${clockTime(profile.unlockEndsAt, now)} at the latest (your server's limit).`;
}

/** The idle time the server's unlock should follow: the auto-lock choice, or as long as the server allows. */
async function idleMinutes(deps: PopupDeps): Promise<number | null> {
  const limit = autoLockMs((await deps.settings()).autoLock);
  return limit === null ? null : limit / 60_000;
}

/** Turns a failure into the view that lets the user go on from it. */
export async function recover(deps: PopupDeps, current: View, error: unknown, context: ErrorContext = 'other'): Promise<View> {
  const { message, next } = describeError(error, context);
  const serverUrl = 'serverUrl' in current ? current.serverUrl : DEFAULT_SERVER_URL;
  if (next === 'sign-in') {
    await deps.saveToken(null);
    return { name: 'sign-in', serverUrl, notice: message };
  }
  if (next === 'setup') return { name: 'setup', serverUrl, error: message };
  if (next === 'unlock' && (current.name === 'unlocked' || current.name === 'locked')) {
    return { name: 'locked', serverUrl, profile: { ...current.profile, unlocked: false }, error: message };
  }
  if (error instanceof KeyfobError && error.code === 'UNREACHABLE' && current.name !== 'sign-in' && current.name !== 'setup') {
    return { name: 'unreachable', serverUrl, error: message };
  }
  return { ...current, error: message } as View;
}

/** What the popup shows when it opens. */
export async function openPopup(deps: PopupDeps): Promise<View> {
  const { settings, token, lastActivity } = await deps.startup();
  if (!settings.serverUrl) {
    // Chrome's permission prompt closes the popup: carry on with what was typed, once the permission is there.
    const draft = await deps.draftServerUrl();
    if (!draft) return { name: 'setup', serverUrl: DEFAULT_SERVER_URL };
    if (!(await deps.hasOrigin(draft))) return { name: 'setup', serverUrl: draft };
    return finishConnect(deps, draft);
  }
  const serverUrl = settings.serverUrl;
  if (!token) return { name: 'sign-in', serverUrl };
  const client = deps.client(serverUrl, token);
  try {
    // Idle too long since the last use: lock before showing anything (the background alarm may not have fired yet).
    const profile = idleExpired(lastActivity, settings.autoLock, deps.now()) ? await client.lock() : await client.profile();
    // Restarting the auto-lock timer need not hold up the view.
    if (profile.unlocked) void deps.touch().catch(() => undefined);
    return profileView(serverUrl, profile);
  } catch (error) {
    // Out of reach is no sign of a lost session: keep the token and offer Retry.
    if (error instanceof KeyfobError && error.code === 'UNREACHABLE') return { name: 'unreachable', serverUrl, error: describeError(error).message };
    return recover(deps, { name: 'sign-in', serverUrl }, error);
  }
}

/**
 * Setup's Connect. A plain http:// server on another machine is asked about once (`allowPlainHttp` is the
 * user's "Connect anyway"). The address is kept before the permission prompt, which closes Chrome's popup.
 */
export async function connect(deps: PopupDeps, input: string, options: { allowPlainHttp?: boolean } = {}): Promise<View> {
  const serverUrl = normaliseServerUrl(input);
  if (!serverUrl)
    return { name: 'setup', serverUrl: input, error: 'Enter the address of your Keyfob server, like http://127.0.0.1:8787 or https://keyfob.example.com.' };
  if (isPlainHttpRemote(serverUrl) && !options.allowPlainHttp) return { name: 'setup', serverUrl, plainHttp: true };
  await deps.saveDraftServerUrl(serverUrl);
  if (!(await deps.requestOrigin(serverUrl))) {
    return { name: 'setup', serverUrl, error: `Keyfob needs your permission to reach ${serverUrl}. Choose Connect again and allow it.` };
  }
  return finishConnect(deps, serverUrl);
}

async function finishConnect(deps: PopupDeps, serverUrl: string): Promise<View> {
  try {
    await deps.client(serverUrl, null).ping();
  } catch (error) {
    return { name: 'setup', serverUrl, error: describeError(error).message };
  }
  await deps.saveServerUrl(serverUrl);
  await deps.saveDraftServerUrl(null);
  await deps.saveToken(null);
  return { name: 'sign-in', serverUrl };
}

export async function signIn(deps: PopupDeps, serverUrl: string, username: string, password: string): Promise<View> {
  if (!username.trim() || !password) return { name: 'sign-in', serverUrl, error: 'Enter your user name and password.' };
  try {
    const session = await deps.client(serverUrl, null).signIn(username.trim(), password, await idleMinutes(deps));
    await deps.saveToken(session.token);
    await deps.touch();
    return profileView(serverUrl, session.profile);
  } catch (error) {
    if (error instanceof KeyfobError && error.code === 'PASSWORD_EXPIRED') {
      return { name: 'expired', serverUrl, username: username.trim(), error: describeError(error).message };
    }
    return recover(deps, { name: 'sign-in', serverUrl }, error);
  }
}

/** Single sign-on through the proxy in front of Keyfob. */
export async function signInWithSso(deps: PopupDeps, serverUrl: string): Promise<View> {
  try {
    const session = await deps.client(serverUrl, null).signInWithSso();
    await deps.saveToken(session.token);
    await deps.touch();
    return profileView(serverUrl, session.profile);
  } catch (error) {
    return recover(deps, { name: 'sign-in', serverUrl }, error);
  }
}

/** "Sign in with PROVIDER": the flow runs in a tab the background opens, and the popup says where to finish it. */
export async function signInWithOAuth(deps: PopupDeps, serverUrl: string, provider: { id: string; name: string }): Promise<View> {
  try {
    await deps.startOAuthSignIn(serverUrl, provider.id);
  } catch (error) {
    return recover(deps, { name: 'sign-in', serverUrl }, error);
  }
  return { name: 'sign-in', serverUrl, notice: `Finish signing in with ${provider.name} in the tab that opens, then open Keyfob again.` };
}

/** An expired password: the current one again, and a new one twice; signs in on the new one. */
export async function renewExpiredPassword(
  deps: PopupDeps,
  view: Extract<View, { name: 'expired' }>,
  fields: { oldPassword: string; newPassword1: string; newPassword2: string },
): Promise<View> {
  if (!fields.oldPassword || !fields.newPassword1) return { ...view, error: 'Enter your current password and a new one.' };
  if (fields.newPassword1 !== fields.newPassword2) return { ...view, error: 'The new passwords do not match.' };
  try {
    const session = await deps
      .client(view.serverUrl, null)
      .changePasswordAndSignIn(view.username, fields.oldPassword, fields.newPassword1, fields.newPassword2);
    await deps.saveToken(session.token);
    await deps.touch();
    return profileView(view.serverUrl, session.profile);
  } catch (error) {
    return recover(deps, view, error);
  }
}

/** Forgot password: asks the server to mail a link. Its answer does not say whether the user exists. */
export async function requestReset(deps: PopupDeps, serverUrl: string, username: string): Promise<View> {
  if (!username.trim()) return { name: 'forgot', serverUrl, error: 'Enter your user name.' };
  try {
    const info = await deps.client(serverUrl, null).requestPasswordReset(username.trim());
    return { name: 'sign-in', serverUrl, notice: `${info}. Check your mail.` };
  } catch (error) {
    return recover(deps, { name: 'forgot', serverUrl }, error);
  }
}

export async function unlock(deps: PopupDeps, view: Extract<View, { name: 'locked' }>, password: string): Promise<View> {
  if (!password) return { ...view, error: 'Enter your password.' };
  try {
    const profile = await deps.client(view.serverUrl, await deps.token()).unlock(password, await idleMinutes(deps));
    await deps.touch();
    return profileView(view.serverUrl, profile);
  } catch (error) {
    return recover(deps, view, error, 'unlock');
  }
}

export async function lock(deps: PopupDeps, view: Extract<View, { name: 'unlocked' }>): Promise<View> {
  try {
    return profileView(view.serverUrl, await deps.client(view.serverUrl, await deps.token()).lock());
  } catch (error) {
    return recover(deps, view, error);
  }
}

export async function signOut(deps: PopupDeps, serverUrl: string): Promise<View> {
  const token = await deps.token();
  await deps.saveToken(null);
  // Best effort: the token is forgotten here whether or not the server could be told.
  if (token)
    await deps
      .client(serverUrl, token)
      .signOut()
      .catch(() => undefined);
  return { name: 'sign-in', serverUrl, notice: 'Signed out.' };
}

type UnlockedView = Extract<View, { name: 'unlocked' }>;

/** What an API key action leads to: the next view, the new key's value (for this view only), and what to announce. */
export interface KeyStep {
  view: View;
  revealed?: RevealedApiKey;
  status?: string;
}

const KEY_REVOKED_ELSEWHERE = 'Your API key was revoked elsewhere (on another device, or by a script). Generate a new one if you need it.';
const KEY_MADE_ELSEWHERE = 'You already have an API key (made elsewhere). Showing it now.';

/** The profile again, for when the key on screen is no longer the server's. */
async function refreshed(deps: PopupDeps, view: UnlockedView, notice: string): Promise<KeyStep> {
  try {
    const profile = await deps.client(view.serverUrl, await deps.token()).profile();
    return { view: { ...view, profile, error: undefined, notice } };
  } catch (error) {
    return { view: await recover(deps, view, error) };
  }
}

/** Any failure of a key action: a key that changed elsewhere shows the server's state, one consistent view. */
async function keyFailure(deps: PopupDeps, view: UnlockedView, error: unknown): Promise<KeyStep> {
  if (error instanceof KeyfobError && error.code === 'NOT_FOUND') return refreshed(deps, view, KEY_REVOKED_ELSEWHERE);
  if (error instanceof KeyfobError && error.code === 'CONFLICT') return refreshed(deps, view, KEY_MADE_ELSEWHERE);
  return { view: await recover(deps, view, error, 'api-key') };
}

async function keyAction(deps: PopupDeps, view: UnlockedView, act: (client: KeyfobClient) => Promise<KeyStep>): Promise<KeyStep> {
  try {
    const step = await act(deps.client(view.serverUrl, await deps.token()));
    await deps.touch();
    return step;
  } catch (error) {
    return keyFailure(deps, view, error);
  }
}

function withKey(view: UnlockedView, revealed: RevealedApiKey, status: string): KeyStep {
  return { view: { ...view, error: undefined, notice: undefined, profile: { ...view.profile, apiKey: revealed.summary } }, revealed, status };
}

export function generateApiKey(deps: PopupDeps, view: UnlockedView): Promise<KeyStep> {
  return keyAction(deps, view, async (client) => withKey(view, await client.generateApiKey(), 'API key generated'));
}

/** The overlap as the popup says it: "for 1 hour", "for 7 days". */
export function overlapWords(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`;
  return seconds === 3_600 ? '1 hour' : `${Math.round(seconds / 3_600)} hours`;
}

/** A new key; with `overlapSeconds`, the old one keeps working that long so scripts can move over one by one. */
export function regenerateApiKey(deps: PopupDeps, view: UnlockedView, overlapSeconds = 0): Promise<KeyStep> {
  const status =
    overlapSeconds > 0 ? `New API key made; the old one keeps working for ${overlapWords(overlapSeconds)}` : 'New API key made; the old one no longer works';
  return keyAction(deps, view, async (client) => withKey(view, await client.regenerateApiKey(overlapSeconds), status));
}

/** Ends the old key now. A 404 means it had already ended (its time was up, or another device ended it). */
export async function endOldApiKey(deps: PopupDeps, view: UnlockedView): Promise<KeyStep> {
  try {
    const profile = await deps.client(view.serverUrl, await deps.token()).endOldApiKey();
    await deps.touch();
    return { view: { ...view, error: undefined, notice: undefined, profile }, status: 'The old API key no longer works' };
  } catch (error) {
    if (error instanceof KeyfobError && error.code === 'NOT_FOUND') return refreshed(deps, view, 'The old API key had already stopped working.');
    return keyFailure(deps, view, error);
  }
}

export function revokeApiKey(deps: PopupDeps, view: UnlockedView): Promise<KeyStep> {
  return keyAction(deps, view, async (client) => ({
    view: { ...view, error: undefined, notice: undefined, profile: await client.revokeApiKey() },
    status: 'API key revoked',
  }));
}

/** A reveal (View or Copy) that failed: the key may have been revoked elsewhere since the popup opened. */
export async function revealFailed(deps: PopupDeps, view: UnlockedView, error: unknown): Promise<View> {
  return (await keyFailure(deps, view, error)).view;
}
