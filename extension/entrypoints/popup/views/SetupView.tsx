import { connect, PLAIN_HTTP_WARNING } from '../../../lib/popup';
import { ActionForm, Alert, Field, Header } from '../components';
import type { ViewProps } from './props';

/** First run, or Change server: the address, and once for a plain http:// server elsewhere, the warning. */
export function SetupView({ view, deps, setView }: ViewProps<'setup'>) {
  return (
    <>
      <Header title="Connect to Keyfob" subtitle="Where does your Keyfob server run?" />
      <Alert error={view.error} />
      {view.plainHttp ? (
        <>
          <p class="alert notice" role="alert">
            {PLAIN_HTTP_WARNING}
          </p>
          <div class="row">
            <button type="button" class="primary" onClick={async () => setView(await connect(deps, view.serverUrl, { allowPlainHttp: true }))}>
              Connect anyway
            </button>
            <button type="button" onClick={() => setView({ name: 'setup', serverUrl: view.serverUrl })}>
              Change address
            </button>
          </div>
        </>
      ) : (
        <ActionForm label="Connect" action={async ({ serverUrl }) => setView(await connect(deps, serverUrl ?? ''))}>
          <Field label="Server address" name="serverUrl" inputMode="url" value={view.serverUrl} autoComplete="url" autoFocus />
        </ActionForm>
      )}
    </>
  );
}
