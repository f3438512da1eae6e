/**
 * Filling the active tab: shared by the popup's Fill button, the keyboard shortcut and the context menu.
 * The secret is fetched only once Keyfob is known to be unlocked, handed to the injected function as an
 * argument (it lands in the extension's isolated world, not the page's), and kept nowhere.
 */
import { describeError, KeyfobError, type KeyfobClient } from '../api';
import type { FillOutcome, FillRequest, SecretLabel } from './page';

export type SecretChoice = 'apiKey' | 'encryptedPassword';
export type FillTarget = { kind: 'login'; choice?: SecretChoice } | { kind: 'focused'; field: 'username' | SecretChoice };

export const SECRET_LABELS: Record<SecretChoice, SecretLabel> = { apiKey: 'API key', encryptedPassword: 'encrypted password' };

export interface FillDeps {
  /** A client for the signed-in session, or null when nobody is signed in. */
  client(): Promise<KeyfobClient | null>;
  choiceFor(origin: string): Promise<SecretChoice | null>;
  saveChoice(origin: string, choice: SecretChoice): Promise<void>;
  /** Runs the fill function in the tab's top frame. */
  inject(tabId: number, request: FillRequest): Promise<FillOutcome>;
}

export type FillResult =
  | { ok: true; outcome: FillOutcome }
  /** `locked` and `signed-out` mean: open the popup so the user can sign in or unlock. */
  | { ok: false; reason: 'locked' | 'signed-out' | 'no-secret' | 'not-fillable' | 'error'; message: string };

function originOf(url: string | undefined): string | null {
  try {
    const parsed = new URL(url ?? '');
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

async function revealSecret(client: KeyfobClient, choice: SecretChoice): Promise<string> {
  return choice === 'apiKey' ? (await client.revealApiKey()).apiKey : client.revealEncryptedPassword();
}

/** Fills the tab. Never while locked: the profile says whether secrets may be seen before any is asked for. */
export async function fillTab(deps: FillDeps, tab: { id?: number; url?: string }, target: FillTarget, announce: boolean): Promise<FillResult> {
  const origin = originOf(tab.url);
  if (tab.id === undefined || !origin) return { ok: false, reason: 'not-fillable', message: 'Keyfob fills web pages (http and https) only.' };
  const client = await deps.client();
  if (!client) return { ok: false, reason: 'signed-out', message: 'Sign in to Keyfob first.' };
  try {
    const profile = await client.profile();
    if (!profile.unlocked) return { ok: false, reason: 'locked', message: 'Unlock Keyfob first.' };
    let choice: SecretChoice | null = null;
    if (target.kind === 'focused') choice = target.field === 'username' ? null : target.field;
    else choice = target.choice ?? (await deps.choiceFor(origin)) ?? (profile.apiKey ? 'apiKey' : 'encryptedPassword');
    if (choice === 'encryptedPassword' && !profile.canChangePassword) {
      return { ok: false, reason: 'no-secret', message: 'You sign in through an external directory and have no encrypted password.' };
    }
    if (choice === 'apiKey' && !profile.apiKey) return { ok: false, reason: 'no-secret', message: 'You have no API key: generate one in Keyfob.' };
    const secret = choice ? await revealSecret(client, choice) : null;
    const request: FillRequest = {
      mode: target.kind,
      username: target.kind === 'login' || target.field === 'username' ? profile.name : null,
      secret,
      secretLabel: SECRET_LABELS[choice ?? 'apiKey'],
      confirmInsecure: true,
      announce,
    };
    let outcome: FillOutcome;
    try {
      outcome = await deps.inject(tab.id, request);
    } catch {
      return { ok: false, reason: 'not-fillable', message: 'Keyfob cannot fill on this page.' };
    }
    if (target.kind === 'login' && target.choice) await deps.saveChoice(origin, target.choice);
    return { ok: true, outcome };
  } catch (error) {
    const { message, next } = describeError(error);
    if (error instanceof KeyfobError && error.code === 'UNLOCK_REQUIRED') return { ok: false, reason: 'locked', message: 'Unlock Keyfob first.' };
    if (next === 'sign-in') return { ok: false, reason: 'signed-out', message };
    return { ok: false, reason: 'error', message };
  }
}
