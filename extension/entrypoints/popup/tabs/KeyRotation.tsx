/**
 * The parts of the Keys tab for a regenerate with an overlap: the choice of how long the old key keeps
 * working, and the old key while it does. Seldom shown, so they come with the lazy chunk.
 */
import type { ApiKeySummary } from '../../../../shared/schemas';
import { overlapWords } from '../../../lib/popup';
import { relative } from '../../../lib/relativeTime';

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
        used {relative(previous.lastUsedAt)}
      </p>
      <button type="button" onClick={props.onEnd}>
        End old key now
      </button>
    </section>
  );
}
