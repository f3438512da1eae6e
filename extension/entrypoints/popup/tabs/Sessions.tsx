/**
 * The user's browser sessions (ASVS 7.5.2): where each began, when and from where it was last used, and
 * End for any but this one (this one ends with Sign out). Listing needs an unlock, as ending does: a
 * locked popup is offered the unlock by the popup's recovery.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionSummary } from '../../../../shared/schemas';
import { endSession } from '../../../lib/account';
import { relative } from '../../../lib/relativeTime';
import { lastUse } from '../../../lib/usage';
import { Alert, useAction } from '../components';
import type { TabProps } from './props';

export function Sessions(props: Pick<TabProps, 'client' | 'onError' | 'onStatus'>) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const action = useAction(props.onError);
  useEffect(() => {
    action.run(async () => setSessions(await (await props.client()).listSessions()));
  }, []);
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      {sessions === null ? (
        !action.problem && <p class="muted small">Loading…</p>
      ) : (
        <ul class="keys">
          {sessions.map((session) => (
            <li key={session.id}>
              <div>
                <strong>{session.current ? `${session.client} (this browser)` : session.client}</strong>
                <span class="muted small">
                  Signed in {relative(session.createdAt)} from {session.signedInFrom ?? 'an unknown address'} · last used{' '}
                  {lastUse(session.lastSeenAt, session.usage)}
                </span>
              </div>
              {!session.current && (
                <button
                  type="button"
                  class="danger-outline"
                  aria-label={`End session ${session.client}, signed in ${relative(session.createdAt)}`}
                  disabled={action.busy}
                  onClick={() =>
                    action.run(async () => {
                      const step = await endSession(await props.client(), session);
                      setSessions(step.value);
                      props.onStatus(step.status);
                    })
                  }
                >
                  End
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <Alert error={action.problem} />
    </section>
  );
}
