/**
 * Password strength with zxcvbn-ts. Its dictionaries weigh far more than the rest of the popup, so this
 * module is only ever imported dynamically, when a password form opens: the popup itself stays small.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { COMMON_PASSWORD_PROBLEM, isCommonPassword } from '../../shared/commonPasswords';

const zxcvbn = new ZxcvbnFactory({
  translations,
  graphs: adjacencyGraphs,
  dictionary: { ...commonDictionary, ...englishDictionary },
});

export interface Strength {
  /** 0 (guessable in seconds) to 4 (very strong). */
  score: 0 | 1 | 2 | 3 | 4;
  /** What to do about it, in one sentence; empty when nothing needs saying. */
  advice: string;
}

/**
 * `context` holds words the password should not lean on: the user name, the email. A password on the
 * server's list of the most common ones scores 0 and says the server will refuse it, in the server's words.
 */
export function measureStrength(password: string, context: string[]): Strength {
  if (isCommonPassword(password)) return { score: 0, advice: COMMON_PASSWORD_PROBLEM };
  const result = zxcvbn.check(password.slice(0, 256), context);
  const advice = result.feedback.warning || result.feedback.suggestions[0] || '';
  return { score: result.score as Strength['score'], advice };
}
