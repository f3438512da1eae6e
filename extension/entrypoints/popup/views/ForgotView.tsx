import { requestReset } from '../../../lib/popup';
import { ActionForm, Alert, Field, Header } from '../components';
import type { ViewProps } from './props';

export function ForgotView({ view, deps, setView }: ViewProps<'forgot'>) {
  return (
    <>
      <Header title="Forgot password" subtitle="We mail you a link to choose a new one.">
        <button type="button" class="link" onClick={() => setView({ name: 'sign-in', serverUrl: view.serverUrl })}>
          Back
        </button>
      </Header>
      <Alert error={view.error} />
      <ActionForm label="Send link" action={async ({ username }) => setView(await requestReset(deps, view.serverUrl, username ?? ''))}>
        <Field label="User name" name="username" autoComplete="username" autoFocus />
      </ActionForm>
    </>
  );
}
