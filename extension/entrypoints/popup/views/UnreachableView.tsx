import { openPopup } from '../../../lib/popup';
import { Alert, Header, PlainHttpWarning } from '../components';
import type { ViewProps } from './props';

/** The server is down or out of reach: the session is kept, and Retry opens the popup afresh. */
export function UnreachableView({ view, deps, setView }: ViewProps<'unreachable'>) {
  return (
    <>
      <Header title="Keyfob is out of reach" subtitle={view.serverUrl} />
      <PlainHttpWarning serverUrl={view.serverUrl} />
      <Alert error={view.error} />
      <p class="muted">You are still signed in: Retry once the server is back.</p>
      <div class="row">
        <button type="button" class="primary" onClick={async () => setView(await openPopup(deps))}>
          Retry
        </button>
        <button type="button" onClick={() => setView({ name: 'setup', serverUrl: view.serverUrl })}>
          Change server
        </button>
      </div>
    </>
  );
}
