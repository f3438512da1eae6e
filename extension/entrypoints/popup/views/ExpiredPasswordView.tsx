import { renewExpiredPassword } from '../../../lib/popup';
import { ActionForm, Alert, Header } from '../components';
import { PasswordFields, usePasswordPolicy } from '../PasswordFields';
import type { ViewProps } from './props';

/** An expired password: the current one, a new one twice, and a session on the new one. */
export function ExpiredPasswordView({ view, deps, setView }: ViewProps<'expired'>) {
  const policy = usePasswordPolicy(async () => deps.client(view.serverUrl, null));
  return (
    <>
      <Header title="Choose a new password" subtitle={`${view.username} · ${view.serverUrl}`}>
        <button type="button" class="link" onClick={() => setView({ name: 'sign-in', serverUrl: view.serverUrl })}>
          Back
        </button>
      </Header>
      <Alert error={view.error} />
      <ActionForm
        label="Change and sign in"
        action={async (fields) =>
          setView(
            await renewExpiredPassword(deps, view, {
              oldPassword: fields.oldPassword ?? '',
              newPassword1: fields.newPassword1 ?? '',
              newPassword2: fields.newPassword2 ?? '',
            }),
          )
        }
      >
        <PasswordFields policy={policy} userName={view.username} context={[view.username]} />
      </ActionForm>
    </>
  );
}
