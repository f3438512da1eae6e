/**
 * The popup's Fill: which secret it offers for the active tab, and the fill itself. The fill code loads on
 * first use (most opens of the popup never fill), so this module stays small and the popup opens fast.
 */
import type { ProfileReply } from '../../shared/schemas';
import type { SecretChoice } from './fill/fill';

export { originOf as fillableOrigin } from './fill/origin';

/**
 * The secret the Fill selector shows: the one remembered for the site while the user still has it, else the
 * API key when there is one, else the encrypted password. Never an option the popup shows disabled.
 */
export function fillChoice(profile: Pick<ProfileReply, 'apiKey' | 'canChangePassword'>, remembered: SecretChoice | null | undefined): SecretChoice {
  const offered: Record<SecretChoice, boolean> = { apiKey: Boolean(profile.apiKey), encryptedPassword: profile.canChangePassword };
  if (remembered && offered[remembered]) return remembered;
  return offered.apiKey ? 'apiKey' : 'encryptedPassword';
}

/** Fills the tab with the user name and the chosen secret; what to tell the user. */
export async function fillFromPopup(tab: { id?: number; url?: string }, choice: SecretChoice): Promise<string> {
  const [{ fillTab }, { browserFillDeps }] = await Promise.all([import('./fill/fill'), import('./fill/browserFill')]);
  const result = await fillTab(browserFillDeps, tab, { kind: 'login', choice }, { announce: false });
  return result.ok ? result.outcome.message : result.message;
}
