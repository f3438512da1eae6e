import { signOut, unlock } from '../../../lib/popup';
import { ActionForm, Alert, Field, Header, PlainHttpWarning } from '../components';
import type { ViewProps } from './props';

/** Realms whose users have no password Keyfob could check (LDAP users unlock with their directory password). */
const PASSWORDLESS_REALMS: string[] = ['http-sso', 'saml', 'oauth'];

export function LockedView({ view, deps, setView }: ViewProps<'locked'>) {
  return (
    <>
      <Header title="Locked" subtitle={`Signed in as ${view.profile.name}`}>
        <button type="button" class="link" onClick={async () => setView(await signOut(deps, view.serverUrl))}>
          Sign out
        </button>
      </Header>
      <PlainHttpWarning serverUrl={view.serverUrl} />
      <Alert error={view.error} notice={view.notice} />
      {PASSWORDLESS_REALMS.includes(view.profile.realm) ? (
        // No Keyfob password to unlock with: only an admin's "keys without unlock" opens the keys.
        <p class="alert notice">
          You sign in through {view.profile.realm === 'http-sso' ? 'single sign-on' : view.profile.realm.toUpperCase()}, so there is no password to unlock with.
          Ask your Keyfob administrator to let you reach your keys without unlocking.
        </p>
      ) : (
        <ActionForm label="Unlock" action={async ({ password }) => setView(await unlock(deps, view, password ?? ''))}>
          <Field label="Password" name="password" type="password" autoComplete="current-password" autoFocus />
        </ActionForm>
      )}
    </>
  );
}
