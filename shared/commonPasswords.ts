/**
 * The most common passwords are refused wherever a password is set (OWASP ASVS 6.2.4): they are what a
 * guesser tries first, whatever the length and character rules say. The list is a module rather than a
 * file read at run time, so Workers and the extension have it too; it is loaded only where it is imported
 * (the server's policy, and the popup's strength meter, which is itself loaded only when a password form opens).
 */
import { COMMON_PASSWORDS_FRONT_CODED } from './commonPasswordList';

let common: Set<string> | null = null;

/** Each line: the length of the prefix shared with the password before (as '0' + n), then the rest. */
function decodeFrontCoded(text: string): Set<string> {
  const words = new Set<string>();
  let previous = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    previous = previous.slice(0, line.charCodeAt(0) - 48) + line.slice(1);
    words.add(previous);
  }
  return words;
}

/** Every password on the list. */
export function commonPasswordList(): ReadonlySet<string> {
  common ??= decodeFrontCoded(COMMON_PASSWORDS_FRONT_CODED);
  return common;
}

/** Whether the password, compared without regard to case or Unicode form, is on the list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswordList().has(password.normalize('NFC').toLowerCase());
}

export const COMMON_PASSWORD_PROBLEM = 'The new password is one of the most commonly used passwords, which are guessed first: choose another';

/** The sentence for the user when the password is on the list; null when it is not. */
export function commonPasswordProblem(password: string): string | null {
  return isCommonPassword(password) ? COMMON_PASSWORD_PROBLEM : null;
}
