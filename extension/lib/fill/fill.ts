/**
 * Filling the active tab: shared by the popup's Fill button, the keyboard shortcut and the context menu.
 * The secret is fetched only once Keyfob is known to be unlocked and the site is one the user allowed,
 * handed to the injected function as an argument (it lands in the extension's isolated world, not the
 * page's), and kept nowhere.
 */
import { describeError, KeyfobError, type KeyfobClient } from '../api';
import { originOf } from './origin';
import type { FillOutcome, FillRequest, SecretLabel } from './page';

export { originOf };

export type SecretChoice = 'apiKey' | 'encryptedPassword';
export type FillTarget =
  | { kind: 'login'; choice?: SecretChoice }
  /**
   * The context menu's field. `frameId` is the frame that was right-clicked (the top frame when absent);
   * `targetElementId` is Firefox's name for the element itself.
   */
  | { kind: 'focused'; field: 'username' | SecretChoice; frameId?: number; targetElementId?: number };

export interface FillOptions {
  /** Show the outcome in the page: the shortcut and the context menu have no popup to tell it in. */
  announce: boolean;
}

export const SECRET_LABELS: Record<SecretChoice, SecretLabel> = { apiKey: 'API key', encryptedPassword: 'encrypted password' };

export interface FillDeps {
  /** A client for the signed-in session, or null when nobody is signed in. */
  client(): Promise<KeyfobClient | null>;
  /** The Keyfob server's own origin, which needs no approval. */
  serverOrigin(): Promise<string | null>;
  choiceFor(origin: string): Promise<SecretChoice | null>;
  saveChoice(origin: string, choice: SecretChoice): Promise<void>;
  /** Whether the user allowed secrets to be filled into this origin. */
  isApproved(origin: string): Promise<boolean>;
  /** Asks the user, in an extension window the page cannot reach, whether to allow the origin; fills there on yes. */
  askApproval(origin: string, tabId: number, target: FillTarget): Promise<void>;
  /** Runs the fill function in one frame of the tab (the top frame when `frameId` is absent). */
  inject(tabId: number, frameId: number | undefined, request: FillRequest): Promise<FillOutcome>;
}

export type FillResult =
  | { ok: true; outcome: FillOutcome }
  /**
   * `locked` and `signed-out` mean: open the popup so the user can sign in or unlock. `needs-approval`:
   * the question about the site is open in a window of its own.
   */
  | { ok: false; reason: 'locked' | 'signed-out' | 'no-secret' | 'not-fillable' | 'needs-approval' | 'error'; message: string };

async function revealSecret(client: KeyfobClient, choice: SecretChoice): Promise<string> {
  return choice === 'apiKey' ? (await client.revealApiKey()).apiKey : client.revealEncryptedPassword();
}

/** Fills the tab. Never while locked: the profile says whether secrets may be seen before any is asked for. */
export async function fillTab(deps: FillDeps, tab: { id?: number; url?: string }, target: FillTarget, options: FillOptions): Promise<FillResult> {
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
    if (target.kind === 'login' && target.choice) await deps.saveChoice(origin, target.choice);
    // A secret goes only where the user said it belongs; the user name alone needs no question.
    if (choice && origin !== (await deps.serverOrigin()) && !(await deps.isApproved(origin))) {
      await deps.askApproval(origin, tab.id, target);
      return {
        ok: false,
        reason: 'needs-approval',
        message: `Keyfob has not filled ${new URL(origin).host} before: answer in the Keyfob window that asks whether to allow it.`,
      };
    }
    const secret = choice ? await revealSecret(client, choice) : null;
    const request: FillRequest = {
      mode: target.kind,
      username: target.kind === 'login' || target.field === 'username' ? profile.name : null,
      secret,
      secretLabel: SECRET_LABELS[choice ?? 'apiKey'],
      confirmInsecure: true,
      announce: options.announce,
      ...(target.kind === 'focused' && target.targetElementId !== undefined ? { targetElementId: target.targetElementId } : {}),
    };
    let outcome: FillOutcome;
    try {
      outcome = await deps.inject(tab.id, target.kind === 'focused' ? target.frameId : undefined, request);
    } catch {
      if (target.kind === 'focused' && target.frameId) {
        return { ok: false, reason: 'not-fillable', message: 'That field is in a frame from another site: Keyfob fills only the site in the address bar.' };
      }
      return { ok: false, reason: 'not-fillable', message: 'Keyfob cannot fill on this page.' };
    }
    if (!outcome) return { ok: false, reason: 'not-fillable', message: 'Keyfob cannot fill on this page.' };
    return { ok: true, outcome };
  } catch (error) {
    const { message, next } = describeError(error);
    if (error instanceof KeyfobError && error.code === 'UNLOCK_REQUIRED') return { ok: false, reason: 'locked', message: 'Unlock Keyfob first.' };
    if (next === 'sign-in') return { ok: false, reason: 'signed-out', message };
    return { ok: false, reason: 'error', message };
  }
}
