/** New password, typed twice, with the server's policy and the live strength meter (the lazy chunk only). */
import { useEffect, useState } from 'preact/hooks';
import { passwordPolicyProblem, type PasswordPolicy } from '../../../shared/passwordPolicy';
import type { KeyfobClient } from '../../lib/api';
import type { Strength } from '../../lib/strength';

const STRENGTH_WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

/** The live strength meter: zxcvbn is loaded the first time this renders, never with the popup itself. */
function StrengthMeter(props: { password: string; context: string[] }) {
  const [measure, setMeasure] = useState<((password: string, context: string[]) => Strength) | null>(null);
  useEffect(() => {
    void import('../../lib/strength').then((module) => setMeasure(() => module.measureStrength));
  }, []);
  if (!props.password) return null;
  const strength = measure?.(props.password, props.context);
  if (!strength)
    return (
      <p class="muted small" aria-live="polite">
        Checking strength…
      </p>
    );
  return (
    <div class="strength" aria-live="polite">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-label="Password strength" />
      <span class="small">
        {STRENGTH_WORDS[strength.score]}
        {strength.advice ? `: ${strength.advice}` : ''}
      </span>
    </div>
  );
}

export function PasswordFields(props: { policy: PasswordPolicy | null; userName: string; context: string[] }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const problem = props.policy && password ? passwordPolicyProblem(props.policy, password, props.userName) : null;
  return (
    <>
      <label class="field">
        <span>Current password</span>
        <input name="oldPassword" type="password" autoComplete="current-password" required />
      </label>
      <label class="field">
        <span>New password</span>
        <input
          name="newPassword1"
          type="password"
          autoComplete="new-password"
          required
          onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
          aria-describedby="password-rules"
        />
      </label>
      <StrengthMeter password={password} context={props.context} />
      <p id="password-rules" class={`small ${problem ? 'warn' : 'muted'}`}>
        {problem ??
          (props.policy ? `At least ${props.policy.minLength} characters, mixing ${props.policy.minClasses} of: lower case, upper case, digits, symbols.` : '')}
      </p>
      <label class="field">
        <span>New password again</span>
        <input
          name="newPassword2"
          type="password"
          autoComplete="new-password"
          required
          onInput={(e) => setAgain((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      {again && again !== password && <p class="small warn">The two new passwords differ.</p>}
    </>
  );
}

/** The policy, fetched once per form. */
export function usePasswordPolicy(client: () => Promise<KeyfobClient>): PasswordPolicy | null {
  const [policy, setPolicy] = useState<PasswordPolicy | null>(null);
  useEffect(() => {
    client()
      .then((c) => c.passwordPolicy())
      .then(setPolicy, () => undefined);
  }, []);
  return policy;
}
