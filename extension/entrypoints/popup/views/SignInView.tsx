import { useEffect, useState } from 'preact/hooks';
import { signIn, signInWithOAuth, signInWithSso, type PopupDeps } from '../../../lib/popup';
import { ActionForm, Alert, Field, Header, PlainHttpWarning } from '../components';
import type { SetView, ViewProps } from './props';

/** "Sign in with single sign-on", where the server says an SSO proxy stands in front of it. */
function SsoButton(props: { deps: PopupDeps; serverUrl: string; setView: SetView }) {
  const [offered, setOffered] = useState(false);
  useEffect(() => {
    props.deps
      .client(props.serverUrl, null)
      .authMethods()
      .then(
        (methods) => setOffered(methods.httpSso),
        () => undefined,
      );
  }, [props.serverUrl]);
  if (!offered) return null;
  return (
    <button type="button" onClick={async () => props.setView(await signInWithSso(props.deps, props.serverUrl))}>
      Sign in with single sign-on
    </button>
  );
}

/** "Sign in with PROVIDER" for each OAuth provider the server has; the background finishes the flow. */
function OAuthButtons(props: { deps: PopupDeps; serverUrl: string; setView: SetView }) {
  const [providers, setProviders] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    props.deps
      .client(props.serverUrl, null)
      .oauthProviders()
      .then(setProviders, () => undefined);
  }, [props.serverUrl]);
  return (
    <>
      {providers.map((provider) => (
        <button type="button" key={provider.id} onClick={async () => props.setView(await signInWithOAuth(props.deps, props.serverUrl, provider))}>
          Sign in with {provider.name}
        </button>
      ))}
    </>
  );
}

export function SignInView({ view, deps, setView }: ViewProps<'sign-in'>) {
  return (
    <>
      <Header title="Sign in" subtitle={view.serverUrl}>
        <button type="button" class="link" onClick={() => setView({ name: 'setup', serverUrl: view.serverUrl })}>
          Change server
        </button>
      </Header>
      <PlainHttpWarning serverUrl={view.serverUrl} />
      <Alert error={view.error} notice={view.notice} />
      <ActionForm label="Sign in" action={async ({ username, password }) => setView(await signIn(deps, view.serverUrl, username ?? '', password ?? ''))}>
        <Field label="User name" name="username" autoComplete="username" autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" />
      </ActionForm>
      <SsoButton deps={deps} serverUrl={view.serverUrl} setView={setView} />
      <OAuthButtons deps={deps} serverUrl={view.serverUrl} setView={setView} />
      <footer>
        <button type="button" class="link" onClick={() => setView({ name: 'forgot', serverUrl: view.serverUrl })}>
          Forgot password?
        </button>
      </footer>
    </>
  );
}
