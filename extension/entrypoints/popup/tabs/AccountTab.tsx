/** Account: password, email, bound single sign-on accounts, recent activity. */
import { useEffect, useState } from 'preact/hooks';
import type { AuditEventType } from '../../../../shared/auditEvents';
import type { ActivityEvent, OAuthIdentity } from '../../../../shared/schemas';
import { changeEmail, changePassword, setInformationalMail, unbindOAuth } from '../../../lib/account';
import type { KeyfobClient } from '../../../lib/api';
import { sendMessage } from '../../../lib/messaging';
import { Alert, readForm, useAction } from '../components';
import { PasswordFields, usePasswordPolicy } from '../PasswordFields';
import type { TabProps } from './props';
import { Sessions } from './Sessions';

const EVENT_WORDS: Record<AuditEventType, string> = {
  'sign-in': 'Signed in',
  'sign-in-failed': 'Failed sign-in',
  'sign-out': 'Signed out',
  unlock: 'Unlocked',
  'api-key-created': 'API key created',
  'api-key-regenerated': 'API key regenerated',
  'api-key-revoked': 'API key revoked',
  'api-keys-revoked-all': 'All API keys revoked',
  'password-changed': 'Password changed',
  'password-expired': 'Password expired by an admin',
  'password-unexpired': 'Password made valid again by an admin',
  'password-expiry-notice': 'Mailed: your password expires soon',
  'api-key-read-by-admin': 'API key read by an admin',
  'password-reset-requested': 'Password reset asked for',
  'password-reset-used': 'Password reset by mail link',
  'email-changed': 'Email changed',
  'ssh-key-added': 'SSH key added',
  'ssh-key-removed': 'SSH key removed',
  'lfs-token-issued': 'Git LFS signed in over SSH',
  'bintray-changed': 'Bintray credentials saved',
  'bintray-removed': 'Bintray credentials removed',
  'user-unlocked': 'Account unlocked by an admin',
  'user-created': 'Account created',
  'user-updated': 'Account changed by an admin',
  'user-deleted': 'Account deleted',
  'oauth-bound': 'Single sign-on account bound',
  'oauth-unbound': 'Single sign-on account unbound',
  'oauth-sign-in': 'Signed in with single sign-on',
  'token-created': 'Token generated',
  'token-refreshed': 'Token refreshed',
  'token-revoked': 'Token revoked',
  'tokens-revoked-all': 'All tokens revoked by an admin',
  'credential-leaked': 'A credential was reported found in public (see your mail)',
  'api-key-overlap-ended': 'Old API key ended',
  'session-ended': 'Session ended',
  'token-expiry-notice': 'Mailed: a token expires soon',
  'notifications-changed': 'Mail choices changed',
};

function Activity(props: { client: () => Promise<KeyfobClient>; onError: (e: unknown) => void; refresh: number }) {
  const [events, setEvents] = useState<ActivityEvent[] | null>(null);
  useEffect(() => {
    props
      .client()
      .then((c) => c.activity())
      .then(setEvents, props.onError);
  }, [props.refresh]);
  return (
    <section aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent activity</h2>
      {events === null ? (
        <p class="muted small">Loading…</p>
      ) : events.length === 0 ? (
        <p class="muted small">Nothing yet.</p>
      ) : (
        <ul class="activity">
          {events.map((event, i) => (
            <li key={i} class={event.type === 'sign-in-failed' ? 'warn' : ''}>
              <span>{EVENT_WORDS[event.type] ?? event.type}</span>
              <span class="muted small" title={event.userAgent ?? ''}>
                {new Date(event.at).toLocaleString()} · {event.clientAddress ?? 'unknown address'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * OAuth accounts: Bind starts here (so a refusal shows here) and the background opens the provider in a
 * tab and approves once it is back (the popup closes); the user confirms on the page there. Unbind after unlock.
 */
function BoundAccounts(props: TabProps) {
  const [providers, setProviders] = useState<{ id: string; name: string }[]>([]);
  const [identities, setIdentities] = useState<OAuthIdentity[]>([]);
  const action = useAction(props.onError);
  useEffect(() => {
    props
      .client()
      .then(async (c) => {
        setProviders((await c.oauthProviders()).filter((provider) => provider.kind === 'oidc'));
        setIdentities(await c.oauthIdentities());
      })
      .catch(props.onError);
  }, []);
  if (providers.length === 0) return null;
  return (
    <section aria-labelledby="oauth-heading">
      <h2 id="oauth-heading">Bound accounts</h2>
      <ul class="keys">
        {providers.map((provider) => {
          const bound = identities.find((identity) => identity.provider === provider.id);
          return (
            <li key={provider.id}>
              <div>
                <strong>{provider.name}</strong>
                <span class="muted small">
                  {bound ? `${bound.email ? `${bound.email} · ` : ''}${bound.subject} · bound ${new Date(bound.boundAt).toLocaleDateString()}` : 'Not bound'}
                </span>
              </div>
              {bound ? (
                <button
                  type="button"
                  class="danger-outline"
                  aria-label={`Unbind ${provider.name}`}
                  onClick={() =>
                    action.run(async () => {
                      const step = await unbindOAuth(await props.client(), provider);
                      setIdentities(step.value);
                      props.onStatus(step.status);
                    })
                  }
                >
                  Unbind
                </button>
              ) : (
                <button
                  type="button"
                  aria-label={`Bind ${provider.name}`}
                  onClick={() =>
                    action.run(async () => {
                      const authorizationUrl = await (await props.client()).oauthStartBind(provider.id);
                      await sendMessage('oauth:bind', { authorizationUrl });
                    })
                  }
                >
                  Bind
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <Alert error={action.problem} />
    </section>
  );
}

export function AccountTab(props: TabProps) {
  const { profile } = props;
  const policy = usePasswordPolicy(props.client);
  const password = useAction(props.onError);
  const email = useAction(props.onError);
  const [formKey, setFormKey] = useState(0);
  const [refresh, setRefresh] = useState(0);
  const context = [profile.name, profile.email ?? ''];
  return (
    <>
      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        {!profile.canChangePassword && (
          <p class="alert notice">
            You sign in through {profile.realm === 'internal' ? 'an external directory' : `your organisation's ${profile.realm.toUpperCase()} directory`}:
            change your password there. Your Keyfob administrator can help.
          </p>
        )}
        <form
          key={formKey}
          aria-label="Change password"
          onSubmit={(event) => {
            const fields = readForm(event);
            password.run(async () => {
              const step = await changePassword(await props.client(), fields);
              props.onProfile(step.value);
              setFormKey((k) => k + 1);
              setRefresh((r) => r + 1);
              props.onStatus(step.status);
            });
          }}
        >
          <fieldset disabled={!profile.canChangePassword || password.busy}>
            <PasswordFields policy={policy} userName={profile.name} context={context} />
            <Alert error={password.problem} />
            <button type="submit" class="primary">
              Change password
            </button>
          </fieldset>
        </form>
      </section>
      <section aria-labelledby="email-heading">
        <h2 id="email-heading">Email</h2>
        <form
          aria-label="Change email"
          onSubmit={(event) => {
            const fields = readForm(event);
            email.run(async () => {
              const step = await changeEmail(await props.client(), fields.email);
              props.onProfile(step.value);
              setRefresh((r) => r + 1);
              props.onStatus(step.status);
            });
          }}
        >
          <div class="row">
            <input
              key={profile.email}
              name="email"
              type="email"
              aria-label="Email"
              defaultValue={profile.email ?? ''}
              required
              disabled={!profile.profileUpdatable}
              autoComplete="email"
            />
            <button type="submit" disabled={email.busy || !profile.profileUpdatable}>
              Save
            </button>
          </div>
          <Alert error={email.problem} />
        </form>
        <label class="row small">
          <input
            type="checkbox"
            checked={profile.notifyInformational}
            disabled={email.busy}
            onChange={(event) => {
              const on = (event.currentTarget as HTMLInputElement).checked;
              email.run(async () => {
                const step = await setInformationalMail(await props.client(), on);
                props.onProfile(step.value);
                props.onStatus(step.status);
              });
            }}
          />
          <span>Mail me before my password or a token expires (security notices always come)</span>
        </label>
      </section>
      <BoundAccounts {...props} />
      <Sessions client={props.client} onError={props.onError} onStatus={props.onStatus} />
      <Activity client={props.client} onError={props.onError} refresh={refresh} />
    </>
  );
}
