/**
 * The password policy, as data and one checking function: the server enforces it whatever a client
 * sends, and the popup shows the same reasons as the user types. The server also refuses the most common
 * passwords (shared/commonPasswords.ts, kept apart so the popup loads that list only with its strength meter).
 */
export interface PasswordPolicy {
  minLength: number;
  /** How many of the four classes (lower case, upper case, digits, other) a password must mix. */
  minClasses: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, minClasses: 2 };

const CLASSES = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u];

export function characterClasses(password: string): number {
  return CLASSES.filter((pattern) => pattern.test(password)).length;
}

/**
 * The first rule the password breaks, as a sentence for the user; null when it keeps them all. Judged in
 * NFC, the form Keyfob hashes: `é` typed as `e` and a combining accent is one character, not two.
 */
export function passwordPolicyProblem(policy: PasswordPolicy, typed: string, userName: string): string | null {
  const password = typed.normalize('NFC');
  if ([...password].length < policy.minLength) return `The new password must have at least ${policy.minLength} characters`;
  if (characterClasses(password) < policy.minClasses) {
    return `The new password must mix at least ${policy.minClasses} of: lower case, upper case, digits, symbols`;
  }
  const name = userName.normalize('NFC').toLowerCase();
  if (name.length > 0 && password.toLowerCase() === name) return 'The new password must not be the user name';
  return null;
}
