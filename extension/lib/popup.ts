/**
 * The popup's states and the transitions between them, apart from any rendering so they can be tested
 * directly. Revealed secrets are not part of this state: the view keeps them in memory only.
 */
import type { ProfileReply } from '../../shared/schemas';
import { idleExpired } from './autolock';
import { describeError, KeyfobError, type KeyfobClient } from './api';
import type { Settings, Startup } from './storage';

export type View =
  | { name: 'loading' }
  | { name: 'setup'; serverUrl: string; error?: string }
  | { name: 'sign-in'; serverUrl: string; error?: string; notice?: string }
  | { name: 'forgot'; serverUrl: string; error?: string }
  | { name: 'expired'; serverUrl: string; username: string; error?: string }
  | { name: 'locked'; serverUrl: string; profile: ProfileReply; error?: string }
  | { name: 'unlocked'; serverUrl: string; profile: ProfileReply; error?: string }
  | { name: 'unreachable'; serverUrl: string; error: string };

export interface PopupDeps {
  /** Settings, token and last activity together: what opening the popup reads. */
  startup(): Promise<Startup>;
  settings(): Promise<Settings>;
  saveServerUrl(url: string): Promise<void>;
  token(): Promise<string | null>;
  saveToken(token: string | null): Promise<void>;
  lastActivity(): Promise<number | null>;
  /** Records activity (and restarts the background's auto-lock timer). */
  touch(): Promise<void>;
  client(serverUrl: string, token: string | null): KeyfobClient;
  /** Asks for host permission for this origin; true when granted (or already held). */
  requestOrigin(origin: string): Promise<boolean>;
  now(): number;
}

export const DEFAULT_SETUP_URL = 'http://127.0.0.1:8787';

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
  return profile.unlocked ? { name: 'unlocked', serverUrl, profile } : { name: 'locked', serverUrl, profile };
}

/** Turns a failure into the view that lets the user go on from it. */
export async function recover(deps: PopupDeps, current: View, error: unknown): Promise<View> {
  const { message, next } = describeError(error);
  const serverUrl = 'serverUrl' in current ? current.serverUrl : DEFAULT_SETUP_URL;
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
  if (!settings.serverUrl) return { name: 'setup', serverUrl: DEFAULT_SETUP_URL };
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
    return recover(deps, { name: 'sign-in', serverUrl }, error);
  }
}

export async function connect(deps: PopupDeps, input: string): Promise<View> {
  const serverUrl = normaliseServerUrl(input);
  if (!serverUrl) return { name: 'setup', serverUrl: input, error: 'Enter the address of your Keyfob server, like http://127.0.0.1:8787.' };
  if (!(await deps.requestOrigin(serverUrl))) {
    return { name: 'setup', serverUrl, error: `Keyfob needs permission to reach ${serverUrl}. Allow it to continue.` };
  }
  try {
    await deps.client(serverUrl, null).ping();
  } catch (error) {
    return { name: 'setup', serverUrl, error: describeError(error).message };
  }
  await deps.saveServerUrl(serverUrl);
  await deps.saveToken(null);
  return { name: 'sign-in', serverUrl };
}

export async function signIn(deps: PopupDeps, serverUrl: string, username: string, password: string): Promise<View> {
  if (!username.trim() || !password) return { name: 'sign-in', serverUrl, error: 'Enter your user name and password.' };
  try {
    const session = await deps.client(serverUrl, null).signIn(username.trim(), password);
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

/** An expired password: the current one again, and a new one twice; signs in on the new one. */
export async function renewExpiredPassword(
  deps: PopupDeps,
  view: Extract<View, { name: 'expired' }>,
  fields: { oldPassword: string; newPassword1: string; newPassword2: string },
): Promise<View> {
  if (!fields.oldPassword || !fields.newPassword1) return { ...view, error: 'Enter your current password and a new one.' };
  if (fields.newPassword1 !== fields.newPassword2) return { ...view, error: 'The new passwords do not match.' };
  try {
    const session = await deps.client(view.serverUrl, null).changePasswordAndSignIn(view.username, fields.oldPassword, fields.newPassword1, fields.newPassword2);
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
    const profile = await deps.client(view.serverUrl, await deps.token()).unlock(password);
    await deps.touch();
    return profileView(view.serverUrl, profile);
  } catch (error) {
    return recover(deps, view, error);
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
  if (token) await deps.client(serverUrl, token).signOut().catch(() => undefined);
  return { name: 'sign-in', serverUrl, notice: 'Signed out.' };
}
