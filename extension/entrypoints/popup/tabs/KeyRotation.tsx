/**
 * The parts of the Keys tab seldom shown, so they come with the lazy chunk: for a regenerate with an overlap,
 * the choice of how long the old key keeps working, the old key while it does and ending it early; and the
 * notices on a key of an older format and on one unused for 90 days.
 */
import type { ApiKeySummary } from '../../../../shared/schemas';
import { overlapWords } from '../../../lib/popup';
import { relative } from '../../../lib/relativeTime';
import { lastUse } from '../../../lib/usage';
import { Confirm } from '../components';

export function OverlapChoice(props: { choices: readonly number[]; value: number; onChange: (seconds: number) => void }) {
  return (
    <label class="field">
      <span>Old key keeps working</span>
      <select value={props.value} onChange={(e) => props.onChange(Number((e.currentTarget as HTMLSelectElement).value))}>
        {props.choices.map((seconds) => (
          <option key={seconds} value={seconds}>
            {seconds === 0 ? 'No: it stops at once' : `For ${overlapWords(seconds)}`}
          </option>
        ))}
      </select>
    </label>
  );
}

export function OldApiKey(props: { previous: NonNullable<ApiKeySummary['previous']>; onEnd: () => void }) {
  const { previous } = props;
  return (
    <section class="old-key" aria-label="Old API key">
      <p class="small">
        Old key, ends in <code>{previous.masked.slice(-4)}</code>: works until {new Date(previous.endsAt).toLocaleString()} ({relative(previous.endsAt)}) · Last
        used {lastUse(previous.lastUsedAt, previous.usage)}
      </p>
      <button type="button" onClick={props.onEnd}>
        End old key now
      </button>
    </section>
  );
}

export function EndOldKeyConfirm(props: { onCancel: () => void; onConfirm: () => void }) {
  return (
    <Confirm
      text="End the old API key now? Scripts still using it stop working at once."
      confirm="End old key"
      onCancel={props.onCancel}
      onConfirm={props.onConfirm}
    />
  );
}

export function LegacyKeyNotice() {
  return <p class="alert notice">This key was made by an older version: regenerate it to use it as a password.</p>;
}

export function UnusedNotice() {
  return <p class="alert notice">Not used in 90 days: safe to revoke?</p>;
}
