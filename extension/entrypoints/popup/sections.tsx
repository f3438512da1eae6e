/** The unlocked popup's other tabs: tokens, account (password, email, recent activity), SSH keys, Bintray. */
import type { AuditEventType } from '../../../shared/auditEvents';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { passwordPolicyProblem, type PasswordPolicy } from '../../../shared/passwordPolicy';
import type { ActivityEvent, BintraySummary, BintrayTestReply, OAuthIdentity, ProfileReply, SshKeyReply } from '../../../shared/schemas';
import { describeError, type KeyfobClient } from '../../lib/api';
import { sendMessage } from '../../lib/messaging';
import { renewExpiredPassword, type PopupDeps, type View } from '../../lib/popup';
import type { Strength } from '../../lib/strength';
import {
  askRevoke,
  cancelRevoke,
  DEFAULT_TOKEN_EXPIRY,
  generateToken,
  INITIAL_TOKENS,
  loadTokens,
  maskToken,
  revokeConfirmed,
  tokenRow,
  TOKEN_EXPIRIES,
  type TokensState,
} from '../../lib/tokens';
import { ActionForm, Alert, Confirm, Header } from './Popup';

export interface SectionProps {
  profile: ProfileReply;
  client: () => Promise<KeyfobClient>;
  /** A new profile from the server (after a change). */
  onProfile: (profile: ProfileReply) => void;
  /** A failure the popup's recovery handles (session ended, locked, unreachable). */
  onError: (error: unknown) => void;
  onStatus: (text: string) => void;
  /** The secret display (masked, View, Copy) of the main tab. */
  renderSecret: (props: { label: string; id: string; masked: string; reveal: () => Promise<string> }) => JSX.Element;
}

function readForm(event: Event): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(new FormData(event.currentTarget as HTMLFormElement)) as Record<string, string>;
}

/**
 * Runs an action, showing a failure the user can fix in the form and passing the others on. It never
 * rejects (every failure lands in the form or the popup's recovery), so callers start it and move on.
 */
function useAction(onError: (error: unknown) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const settle = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem('');
    try {
      await action();
    } catch (error) {
      const { next, message } = describeError(error);
      // Mistakes in what was typed stay in the form; anything else goes to the popup's recovery.
      if (next === 'none' || next === 'retry' || next === 'ask-admin' || next === 'wait') setProblem(message);
      else onError(error);
    } finally {
      setBusy(false);
    }
  };
  const run = (action: () => Promise<void>): void => void settle(action);
  return { busy, problem, setProblem, run };
}

function Problem(props: { text: string }) {
  return props.text ? (
    <p class="alert error" role="alert">
      {props.text}
    </p>
  ) : null;
}

const STRENGTH_WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

/** The live strength meter: zxcvbn is loaded the first time this renders, never with the popup itself. */
function StrengthMeter(props: { password: string; context: string[] }) {
  const [measure, setMeasure] = useState<((password: string, context: string[]) => Strength) | null>(null);
  useEffect(() => {
    void import('../../lib/strength').then((module) => setMeasure(() => module.measureStrength));
  }, []);
  if (!props.password) return null;
  const strength = measure?.(props.password, props.context);
  if (!strength)
    return (
      <p class="muted small" aria-live="polite">
        Checking strength…
      </p>
    );
  return (
    <div class="strength" aria-live="polite">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-label="Password strength" />
      <span class="small">
        {STRENGTH_WORDS[strength.score]}
        {strength.advice ? `: ${strength.advice}` : ''}
      </span>
    </div>
  );
}

function PasswordFields(props: { policy: PasswordPolicy | null; userName: string; context: string[]; disabled?: boolean; current?: boolean }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const problem = props.policy && password ? passwordPolicyProblem(props.policy, password, props.userName) : null;
  return (
    <>
      {props.current !== false && (
        <label class="field">
          <span>Current password</span>
          <input name="oldPassword" type="password" autoComplete="current-password" required disabled={props.disabled} />
        </label>
      )}
      <label class="field">
        <span>New password</span>
        <input
          name="newPassword1"
          type="password"
          autoComplete="new-password"
          required
          disabled={props.disabled}
          onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
          aria-describedby="password-rules"
        />
      </label>
      <StrengthMeter password={password} context={props.context} />
      <p id="password-rules" class={`small ${problem ? 'warn' : 'muted'}`}>
        {problem ??
          (props.policy ? `At least ${props.policy.minLength} characters, mixing ${props.policy.minClasses} of: lower case, upper case, digits, symbols.` : '')}
      </p>
      <label class="field">
        <span>New password again</span>
        <input
          name="newPassword2"
          type="password"
          autoComplete="new-password"
          required
          disabled={props.disabled}
          onInput={(e) => setAgain((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      {again && again !== password && <p class="small warn">The two new passwords differ.</p>}
    </>
  );
}

/** The policy, fetched once per popup. */
export function usePasswordPolicy(client: () => Promise<KeyfobClient>): PasswordPolicy | null {
  const [policy, setPolicy] = useState<PasswordPolicy | null>(null);
  useEffect(() => {
    client()
      .then((c) => c.passwordPolicy())
      .then(setPolicy, () => undefined);
  }, []);
  return policy;
}

/** An expired password: the current one, a new one twice, and a session on the new one. */
export function ExpiredPasswordView(props: { view: Extract<View, { name: 'expired' }>; deps: PopupDeps; setView: (view: View) => void }) {
  const { view, deps, setView } = props;
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

export function AccountSection(props: SectionProps) {
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
            if (fields.newPassword1 !== fields.newPassword2) return password.setProblem('The new passwords do not match.');
            password.run(async () => {
              props.onProfile(await (await props.client()).changePassword(fields.oldPassword ?? '', fields.newPassword1 ?? '', fields.newPassword2 ?? ''));
              setFormKey((k) => k + 1);
              setRefresh((r) => r + 1);
              props.onStatus('Password changed. Your other sessions were signed out; your API key still works.');
            });
          }}
        >
          <fieldset disabled={!profile.canChangePassword || password.busy}>
            <PasswordFields policy={policy} userName={profile.name} context={context} />
            <Problem text={password.problem} />
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
              props.onProfile(await (await props.client()).updateEmail((fields.email ?? '').trim()));
              setRefresh((r) => r + 1);
              props.onStatus('Email changed.');
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
          <Problem text={email.problem} />
        </form>
      </section>
      <BoundAccounts {...props} />
      <Activity client={props.client} onError={props.onError} refresh={refresh} />
    </>
  );
}

/**
 * OAuth accounts: Bind starts here (so a refusal shows here) and the background opens the provider in a
 * tab and approves once it is back (the popup closes); the user confirms on the page there. Unbind after unlock.
 */
function BoundAccounts(props: SectionProps) {
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
                      setIdentities(await (await props.client()).oauthUnbind(provider.id));
                      props.onStatus(`${provider.name} unbound`);
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
      <Problem text={action.problem} />
    </section>
  );
}

export function SshKeysSection(props: SectionProps) {
  const [keys, setKeys] = useState<SshKeyReply[]>(props.profile.sshKeys);
  const [adding, setAdding] = useState(keys.length === 0);
  const [removing, setRemoving] = useState<SshKeyReply | null>(null);
  const add = useAction(props.onError);
  const remove = useAction(props.onError);
  return (
    <section aria-labelledby="ssh-heading">
      <h2 id="ssh-heading">SSH keys</h2>
      <p class="muted small">Git LFS authenticates over SSH with these keys.</p>
      {keys.length > 0 && (
        <ul class="keys">
          {keys.map((key) => (
            <li key={key.id}>
              <div>
                <strong>{key.name}</strong>{' '}
                <span class="muted small">
                  {key.type.replace('ecdsa-sha2-', 'ECDSA ').replace('ssh-', '').toUpperCase()} · {key.bits} bits
                </span>
                <code class="fingerprint">{key.fingerprint}</code>
                <span class="muted small">
                  Added {new Date(key.createdAt).toLocaleDateString()} · last used {key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'never'}
                </span>
              </div>
              <button type="button" class="danger-outline" aria-label={`Remove SSH key ${key.name}`} onClick={() => setRemoving(key)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {removing && (
        <div class="confirm" role="alertdialog" aria-label="Remove" aria-describedby="remove-key-text">
          <p id="remove-key-text">Remove “{removing.name}”? Git LFS using it loses access at once.</p>
          <div class="row">
            <button type="button" onClick={() => setRemoving(null)} ref={(el) => el?.focus()}>
              Cancel
            </button>
            <button
              type="button"
              class="danger"
              onClick={() =>
                remove.run(async () => {
                  setKeys(await (await props.client()).removeSshKey(removing.id));
                  props.onStatus(`SSH key “${removing.name}” removed`);
                  setRemoving(null);
                })
              }
            >
              Remove
            </button>
          </div>
        </div>
      )}
      <Problem text={remove.problem} />
      {adding ? (
        <form
          aria-label="Add SSH key"
          onSubmit={(event) => {
            const form = event.currentTarget as HTMLFormElement;
            const fields = readForm(event);
            add.run(async () => {
              const key = await (await props.client()).addSshKey((fields.name ?? '').trim(), fields.publicKey ?? '');
              setKeys([...keys, key]);
              form.reset();
              setAdding(false);
              props.onStatus(`SSH key “${key.name}” added: ${key.fingerprint}`);
            });
          }}
        >
          <label class="field">
            <span>Name</span>
            <input name="name" placeholder="From the key's comment if empty" maxLength={100} />
          </label>
          <label class="field">
            <span>Public key</span>
            <textarea name="publicKey" rows={4} required spellcheck={false} placeholder="ssh-ed25519 AAAA… you@laptop (the .pub file)" />
          </label>
          <Problem text={add.problem} />
          <div class="row">
            <button type="submit" class="primary" disabled={add.busy}>
              Add key
            </button>
            {keys.length > 0 && (
              <button type="button" onClick={() => setAdding(false)}>
                Cancel
              </button>
            )}
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => setAdding(true)}>
          Add SSH key
        </button>
      )}
    </section>
  );
}

const OUTCOME_CLASS: Record<BintrayTestReply['outcome'], string> = { valid: 'ok', invalid: 'warn', unreachable: 'warn', timeout: 'warn' };

export function BintraySection(props: SectionProps) {
  const [saved, setSaved] = useState<BintraySummary | null>(props.profile.bintray);
  const [editing, setEditing] = useState(saved === null);
  const [outcome, setOutcome] = useState<BintrayTestReply | null>(null);
  const save = useAction(props.onError);
  const test = useAction(props.onError);
  const form = useRef<HTMLFormElement>(null);
  const typed = () => {
    const fields = form.current ? (Object.fromEntries(new FormData(form.current)) as Record<string, string>) : {};
    return { username: fields.username?.trim() || undefined, apiKey: fields.apiKey?.trim() || undefined };
  };
  const runTest = () => {
    // Read the fields before anything re-renders.
    const fields = editing ? typed() : {};
    setOutcome(null);
    return test.run(async () => setOutcome(await (await props.client()).testBintray(fields)));
  };
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
            <button type="button" onClick={runTest} disabled={test.busy}>
              {test.busy ? 'Testing…' : 'Test'}
            </button>
            <button type="button" onClick={() => setEditing(true)}>
              Change
            </button>
            <button
              type="button"
              class="danger-outline"
              onClick={() =>
                save.run(async () => {
                  await (await props.client()).removeBintray();
                  setSaved(null);
                  setEditing(true);
                  props.onStatus('Bintray credentials removed');
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
              setSaved(await (await props.client()).saveBintray((fields.username ?? '').trim(), (fields.apiKey ?? '').trim()));
              setEditing(false);
              props.onStatus('Bintray credentials saved');
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
            <button type="button" onClick={runTest} disabled={test.busy}>
              {test.busy ? 'Testing…' : 'Test'}
            </button>
            {saved && (
              <button type="button" onClick={() => setEditing(false)}>
                Cancel
              </button>
            )}
          </div>
        </form>
      )}
      <Problem text={save.problem || test.problem} />
      {outcome && (
        <p class={`small ${OUTCOME_CLASS[outcome.outcome]}`} role="status">
          {outcome.message}
        </p>
      )}
    </section>
  );
}

/**
 * Identity tokens: generate one (its value shown this once, from memory), the list, and Revoke after asking.
 * The steps are lib/tokens.ts's; what the server refuses is said beside the form, or goes to the popup's
 * recovery (a lapsed unlock brings the unlock prompt).
 */
export function TokensSection(props: SectionProps) {
  const [state, setState] = useState<TokensState>(INITIAL_TOKENS);
  // Generating, and the list (loading, revoking): each says what went wrong beside itself.
  const make = useAction(props.onError);
  const list = useAction(props.onError);
  const username = props.profile.name;
  // One step at a time: each starts from the state the last one left (a late answer must not drop a fresh token).
  const busy = make.busy || list.busy;
  const step = (action: typeof make, next: (client: KeyfobClient) => Promise<TokensState>) =>
    !busy &&
    action.run(async () => {
      const after = await next(await props.client());
      setState(after);
      if (after.status) props.onStatus(after.status);
    });
  useEffect(() => void step(list, (c) => loadTokens(c, username, state)), []);
  const { fresh, tokens, confirming } = state;
  return (
    <>
      <section aria-labelledby="token-new-heading">
        <h2 id="token-new-heading">Generate an identity token</h2>
        <p class="muted small">Scripts and JFrog's tools use it as you: as a Bearer token, or as the password with your user name.</p>
        {fresh && (
          <div key={fresh.id}>
            {props.renderSecret({ label: 'Identity token', id: 'identity-token', masked: maskToken(fresh.value), reveal: async () => fresh.value })}
            <p class="alert notice">Copy it now: it is not shown again.</p>
          </div>
        )}
        <form
          aria-label="Generate an identity token"
          onSubmit={(event) => {
            const form = event.currentTarget as HTMLFormElement;
            const fields = readForm(event);
            step(make, async (c) => {
              const after = await generateToken(c, username, state, fields);
              // Ready for another; the expiry stays as chosen.
              if (after.fresh !== state.fresh) (form.elements.namedItem('description') as HTMLInputElement).value = '';
              return after;
            });
          }}
        >
          <label class="field">
            <span>Description</span>
            <input name="description" required maxLength={1024} autoComplete="off" spellcheck={false} placeholder="What uses it, like “CI deploys”" />
          </label>
          <label class="field">
            <span>Expires in</span>
            <select name="expiresIn">
              {TOKEN_EXPIRIES.map((choice) => (
                <option key={choice.seconds} value={String(choice.seconds)} selected={choice.seconds === DEFAULT_TOKEN_EXPIRY}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          <Problem text={make.problem || state.problem} />
          <button type="submit" class="primary" disabled={busy}>
            Generate token
          </button>
        </form>
      </section>
      <section aria-labelledby="token-list-heading">
        <h2 id="token-list-heading">Your tokens</h2>
        {tokens === null ? (
          !list.problem && <p class="muted small">Loading…</p>
        ) : tokens.length === 0 ? (
          <p class="muted small">None yet.</p>
        ) : (
          <ul class="keys">
            {tokens.map((token) => {
              const row = tokenRow(token);
              return (
                <li key={row.id}>
                  <div>
                    <strong>{row.title}</strong>
                    <span class="muted small">{row.scope}</span>
                    <span class="muted small">
                      Created {row.created} · expires {row.expires} · last used {row.lastUsed}
                    </span>
                  </div>
                  <button
                    type="button"
                    class="danger-outline"
                    aria-label={`Revoke token ${row.title}`}
                    disabled={busy}
                    onClick={() => setState(askRevoke(state, token))}
                  >
                    Revoke
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {confirming && (
          <Confirm
            text={`Revoke “${tokenRow(confirming).title}”? Scripts using it stop working at once.`}
            confirm="Revoke"
            onCancel={() => setState(cancelRevoke(state))}
            onConfirm={() => step(list, (c) => revokeConfirmed(c, state))}
          />
        )}
        <Problem text={list.problem} />
      </section>
    </>
  );
}
