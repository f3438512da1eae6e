/** Bintray: the user name and API key Keyfob keeps sealed, with Test against Bintray itself. */
import { useRef, useState } from 'preact/hooks';
import type { BintraySummary, BintrayTestReply } from '../../../../shared/schemas';
import { removeBintray, saveBintray, testBintray } from '../../../lib/account';
import { Alert, readForm, useAction } from '../components';
import type { TabProps } from './props';

const OUTCOME_CLASS: Record<BintrayTestReply['outcome'], string> = { valid: 'ok', invalid: 'warn', unreachable: 'warn', timeout: 'warn' };

export function BintrayTab(props: TabProps) {
  const [saved, setSaved] = useState<BintraySummary | null>(props.profile.bintray);
  const [editing, setEditing] = useState(saved === null);
  const [outcome, setOutcome] = useState<BintrayTestReply | null>(null);
  const save = useAction(props.onError);
  const test = useAction(props.onError);
  const form = useRef<HTMLFormElement>(null);
  const runTest = () => {
    // Read the fields before anything re-renders.
    const typed = editing && form.current ? (Object.fromEntries(new FormData(form.current)) as Record<string, string>) : null;
    setOutcome(null);
    test.run(async () => setOutcome(await testBintray(await props.client(), typed)));
  };
  const testButton = (
    <button type="button" onClick={runTest} disabled={test.busy}>
      {test.busy ? 'Testing…' : 'Test'}
    </button>
  );
  return (
    <section aria-labelledby="bintray-heading">
      <h2 id="bintray-heading">Bintray</h2>
      {!editing && saved ? (
        <>
          <p>
            User <strong>{saved.username}</strong>
          </p>
          {props.renderSecret({
            label: 'Bintray API key',
            id: 'bintray-key',
            masked: saved.apiKeyMasked,
            reveal: async () => (await props.client()).revealBintrayKey(),
          })}
          <div class="row">
            {testButton}
            <button type="button" onClick={() => setEditing(true)}>
              Change
            </button>
            <button
              type="button"
              class="danger-outline"
              onClick={() =>
                save.run(async () => {
                  const step = await removeBintray(await props.client());
                  setSaved(step.value);
                  setEditing(true);
                  props.onStatus(step.status);
                })
              }
            >
              Remove
            </button>
          </div>
        </>
      ) : (
        <form
          ref={form}
          aria-label="Bintray credentials"
          onSubmit={(event) => {
            const fields = readForm(event);
            save.run(async () => {
              const step = await saveBintray(await props.client(), fields);
              setSaved(step.value);
              setEditing(false);
              props.onStatus(step.status);
            });
          }}
        >
          <label class="field">
            <span>Bintray user name</span>
            <input name="username" defaultValue={saved?.username ?? ''} required autoComplete="off" spellcheck={false} />
          </label>
          <label class="field">
            <span>Bintray API key</span>
            <input name="apiKey" type="password" required autoComplete="off" placeholder={saved ? 'Enter the key again to change it' : ''} />
          </label>
          <div class="row">
            <button type="submit" class="primary" disabled={save.busy}>
              Save
            </button>
            {testButton}
            {saved && (
              <button type="button" onClick={() => setEditing(false)}>
                Cancel
              </button>
            )}
          </div>
        </form>
      )}
      <Alert error={save.problem || test.problem} />
      {outcome && (
        <p class={`small ${OUTCOME_CLASS[outcome.outcome]}`} role="status">
          {outcome.message}
        </p>
      )}
    </section>
  );
}
