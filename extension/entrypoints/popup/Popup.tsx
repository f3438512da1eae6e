import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { InputHTMLAttributes, JSX } from 'preact';
import { browser } from 'wxt/browser';
import type { ApiKeySummary, ProfileReply, Realm } from '../../../shared/schemas';
import { describeError } from '../../lib/api';
import { sha256Hex } from '../../lib/clipboard';
import { sendMessage } from '../../lib/messaging';
import { DEFAULT_AUTO_LOCK, fillChoicesItem, type AutoLock } from '../../lib/storage';
import { CopyIcon, EyeIcon, EyeOffIcon, GearIcon } from './icons';
import {
  connect,
  generateApiKey,
  isPlainHttpRemote,
  lock,
  lockNote,
  openPopup,
  PLAIN_HTTP_WARNING,
  recover,
  regenerateApiKey,
  requestReset,
  revealFailed,
  revokeApiKey,
  signIn,
  signInWithSso,
  signOut,
  unlock,
  type KeyStep,
  type PopupDeps,
  type View,
} from '../../lib/popup';
import type { SectionProps } from './sections';

type SectionsModule = typeof import('./sections');
let sectionsModule: Promise<SectionsModule> | null = null;

/**
 * The tabs beyond Keys, and the password forms, are their own chunk: the popup opens on Keys with only
 * what Keys needs, and the rest loads (from the extension's own files) the first time it is asked for.
 */
function useSections(): SectionsModule | null {
  const [module, setModule] = useState<SectionsModule | null>(null);
  useEffect(() => {
    sectionsModule ??= import('./sections');
    void sectionsModule.then(setModule);
  }, []);
  return module;
}

function LazySection(props: SectionProps & { tab: Exclude<Tab, 'keys'> }) {
  const sections = useSections();
  if (!sections)
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  const { tab, ...section } = props;
  const Section = { tokens: sections.TokensSection, ssh: sections.SshKeysSection, bintray: sections.BintraySection, account: sections.AccountSection }[tab];
  return <Section {...section} />;
}

type SetView = (view: View) => void;

const READY_MARK = 'keyfob-ready';

function relative(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  return 'just now';
}

// No type=url: the browser's own "Please enter a URL" would refuse `keyfob.corp:8787`, which Keyfob accepts.
function Field(props: {
  label: string;
  name: string;
  type?: 'text' | 'password';
  inputMode?: 'url';
  value?: string;
  autoComplete?: string;
  autoFocus?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  // The autofocus attribute only works on a page's first render; views that come later focus themselves,
  // in a layout effect so focus is there as soon as the field is (a plain effect runs a frame later).
  useLayoutEffect(() => {
    if (props.autoFocus) input.current?.focus();
  }, []);
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        ref={input}
        {...({
          name: props.name,
          type: props.type ?? 'text',
          inputMode: props.inputMode,
          value: props.value,
          autoComplete: props.autoComplete,
        } as InputHTMLAttributes)}
        required
        spellcheck={false}
      />
    </label>
  );
}

export function Alert(props: { error?: string; notice?: string }) {
  if (props.error)
    return (
      <p class="alert error" role="alert">
        {props.error}
      </p>
    );
  if (props.notice)
    return (
      <p class="alert notice" role="status">
        {props.notice}
      </p>
    );
  return null;
}

/** A form whose submit runs `action` with its fields, disabling itself meanwhile. */
export function ActionForm(props: { label: string; action: (fields: Record<string, string>) => Promise<void>; children: JSX.Element | JSX.Element[] }) {
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(event.currentTarget as HTMLFormElement)) as Record<string, string>;
    setBusy(true);
    try {
      await props.action(fields);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={onSubmit} aria-busy={busy}>
      {props.children}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? `${props.label}…` : props.label}
      </button>
    </form>
  );
}

export function Header(props: { title: string; subtitle?: string; children?: JSX.Element | JSX.Element[] | false }) {
  return (
    <header>
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="muted">{props.subtitle}</p>}
      </div>
      <div class="actions">{props.children}</div>
    </header>
  );
}

const openSettings = () => browser.runtime.openOptionsPage();

/** Shown on every view of a plain http:// server on another machine, for as long as Keyfob is connected to it. */
function PlainHttpWarning(props: { serverUrl: string }) {
  if (!isPlainHttpRemote(props.serverUrl)) return null;
  return <p class="alert notice plain-http">Not encrypted: {props.serverUrl} is plain http://.</p>;
}

const REALM_NAMES: Record<Realm, string | null> = {
  internal: null,
  ldap: 'LDAP account',
  saml: 'SAML sign-in',
  oauth: 'OAuth sign-in',
  'http-sso': 'single sign-on',
  crowd: 'Crowd account',
  radius: 'RADIUS account',
};

/** Email and, for accounts kept outside Keyfob, where they come from (Keyfob's own accounts need no word). */
function accountLine(profile: ProfileReply): string {
  const realm = REALM_NAMES[profile.realm];
  return [profile.email ?? 'no email', realm].filter(Boolean).join(' · ');
}

interface SecretProps {
  label: string;
  id: string;
  masked: string;
  reveal: () => Promise<string>;
  clearSeconds: number;
  onError: (error: unknown) => void;
  onStatus: (text: string) => void;
}

/** A secret shown masked, with View (toggle) and Copy. The clear value lives only in this component. */
function Secret(props: SecretProps) {
  const [value, setValue] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const get = async (): Promise<string> => {
    if (value !== null) return value;
    const revealed = await props.reveal();
    setValue(revealed);
    return revealed;
  };
  const toggle = async () => {
    try {
      if (!shown) await get();
      setShown(!shown);
    } catch (error) {
      props.onError(error);
    }
  };
  const copy = async () => {
    try {
      const secret = await get();
      await navigator.clipboard.writeText(secret);
      await sendMessage('clipboard:schedule-clear', { sha256: await sha256Hex(secret), delayMs: props.clearSeconds * 1000 });
      props.onStatus(`Copied, clears in ${props.clearSeconds} s`);
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <div class="secret">
      <span class="label">{props.label}</span>
      <div class="row">
        <code id={props.id} class={shown ? 'clear' : ''}>
          {shown && value ? value : props.masked}
        </code>
        <button
          type="button"
          class="icon"
          onClick={toggle}
          aria-pressed={shown}
          aria-label={`${shown ? 'Hide' : 'View'} ${props.label}`}
          title={shown ? 'Hide' : 'View'}
        >
          {shown ? <EyeOffIcon /> : <EyeIcon />}
        </button>
        <button type="button" class="icon" onClick={copy} aria-label={`Copy ${props.label}`} title="Copy">
          <CopyIcon />
        </button>
      </div>
    </div>
  );
}

/**
 * Asks before a destructive action; focus starts on Cancel, Escape cancels, and when the dialog goes focus
 * returns to whatever opened it (if that is still on the page).
 */
export function Confirm(props: { text: string; confirm: string; onConfirm: () => void; onCancel: () => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    props.onCancel();
  };
  return (
    <div class="confirm" role="alertdialog" aria-label={props.confirm} aria-describedby="confirm-text" onKeyDown={onKeyDown}>
      <p id="confirm-text">{props.text}</p>
      <div class="row">
        <button type="button" ref={cancel} onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </div>
  );
}

function ApiKey(props: {
  summary: ApiKeySummary | null;
  deps: PopupDeps;
  view: Extract<View, { name: 'unlocked' }>;
  setView: SetView;
  clearSeconds: number;
  onStatus: (s: string) => void;
}) {
  const { deps, view, setView } = props;
  const [asking, setAsking] = useState<'regenerate' | 'revoke' | null>(null);
  const [fresh, setFresh] = useState<{ apiKey: string; summary: ApiKeySummary } | null>(null);
  // Each new key remounts its Secret, so nothing of the old key (shown, cached) carries over.
  const [generation, setGeneration] = useState(0);
  const client = async () => deps.client(view.serverUrl, await deps.token());
  const onRevealError = async (error: unknown) => {
    setFresh(null);
    setGeneration((g) => g + 1);
    setView(await revealFailed(deps, view, error));
  };
  const run = async (action: (deps: PopupDeps, view: Extract<View, { name: 'unlocked' }>) => Promise<KeyStep>) => {
    setAsking(null);
    const step = await action(deps, view);
    setGeneration((g) => g + 1);
    setFresh(step.revealed ?? null);
    setView(step.view);
    if (step.status) props.onStatus(step.status);
  };
  const summary = fresh?.summary ?? props.summary;

  if (!summary) {
    return (
      <section aria-labelledby="api-key-heading">
        <h2 id="api-key-heading">API key</h2>
        <p class="muted">You have no API key. Scripts use it in the X-JFrog-Art-Api header or as a Basic password.</p>
        <button type="button" class="primary" onClick={() => run(generateApiKey)}>
          Generate API key
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="api-key-heading">
      <h2 id="api-key-heading" class="sr-only">
        API key
      </h2>
      <Secret
        key={generation}
        label="API key"
        id="api-key"
        masked={summary.masked}
        reveal={async () => fresh?.apiKey ?? (await (await client()).revealApiKey()).apiKey}
        clearSeconds={props.clearSeconds}
        onError={onRevealError}
        onStatus={props.onStatus}
      />
      <p class="muted small">
        Created {relative(summary.createdAt)} · Last used {relative(summary.lastUsedAt)}
      </p>
      {summary.needsRegeneration && <p class="alert notice">This key was made by an older version: regenerate it to use it as a password.</p>}
      {asking === 'regenerate' && (
        <Confirm
          text="Regenerate your API key? Scripts using the current key stop working at once."
          confirm="Regenerate"
          onCancel={() => setAsking(null)}
          onConfirm={() => run(regenerateApiKey)}
        />
      )}
      {asking === 'revoke' && (
        <Confirm
          text="Revoke your API key? Scripts using it stop working at once."
          confirm="Revoke"
          onCancel={() => setAsking(null)}
          onConfirm={() => run(revokeApiKey)}
        />
      )}
      {/* Stays while a dialog is up, so focus has its button to return to. */}
      <div class="row">
        <button type="button" onClick={() => setAsking('regenerate')}>
          Regenerate
        </button>
        <button type="button" class="danger-outline" onClick={() => setAsking('revoke')}>
          Revoke
        </button>
      </div>
    </section>
  );
}

type SecretChoice = 'apiKey' | 'encryptedPassword';

/** Fill: the active tab gets the username and the chosen secret; the choice is remembered per site. */
function FillBar(props: { profile: ProfileReply; onStatus: (text: string) => void; onError: (error: unknown) => void }) {
  const { profile } = props;
  const [tab, setTab] = useState<{ id?: number; url?: string } | null>(null);
  const [choice, setChoice] = useState<SecretChoice>(profile.apiKey ? 'apiKey' : 'encryptedPassword');
  const [busy, setBusy] = useState(false);
  // The first key, generated while the popup is open, becomes the choice (a remembered choice for the site aside).
  const hadKey = useRef(Boolean(profile.apiKey));
  useEffect(() => {
    if (profile.apiKey && !hadKey.current) setChoice('apiKey');
    if (!profile.apiKey) setChoice('encryptedPassword');
    hadKey.current = Boolean(profile.apiKey);
  }, [Boolean(profile.apiKey)]);
  const origin = (() => {
    try {
      const url = new URL(tab?.url ?? '');
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
    } catch {
      return null;
    }
  })();
  useEffect(() => {
    void browser.tabs
      .query({ active: true, currentWindow: true })
      .then(async ([active]) => {
        setTab(active ?? null);
        const remembered = active?.url ? (await fillChoicesItem.getValue())[new URL(active.url).origin] : undefined;
        if (remembered) setChoice(remembered);
      })
      .catch(() => undefined);
  }, []);
  if (!origin) return null;
  const fill = async () => {
    setBusy(true);
    try {
      // The fill code loads on first use: most opens of the popup never fill.
      const [{ fillTab }, { browserFillDeps }] = await Promise.all([import('../../lib/fill/fill'), import('../../lib/fill/browserFill')]);
      const result = await fillTab(browserFillDeps, tab ?? {}, { kind: 'login', choice }, { announce: false });
      props.onStatus(result.ok ? result.outcome.message : result.message);
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="fill" aria-label={`Fill ${new URL(origin).host}`}>
      <div class="row">
        <select aria-label="Secret to fill" value={choice} onChange={(e) => setChoice((e.currentTarget as HTMLSelectElement).value as SecretChoice)}>
          <option value="apiKey" disabled={!profile.apiKey}>
            Username + API key
          </option>
          <option value="encryptedPassword" disabled={!profile.canChangePassword}>
            Username + encrypted password
          </option>
        </select>
        <button type="button" class="primary" onClick={fill} disabled={busy}>
          Fill
        </button>
      </div>
      <p class="muted small">Into {new URL(origin).host}</p>
    </section>
  );
}

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
        <button
          type="button"
          key={provider.id}
          onClick={async () => {
            props.setView({
              name: 'sign-in',
              serverUrl: props.serverUrl,
              notice: `Finish signing in with ${provider.name} in the tab that opens, then open Keyfob again.`,
            });
            await sendMessage('oauth:sign-in', { serverUrl: props.serverUrl, provider: provider.id });
          }}
        >
          Sign in with {provider.name}
        </button>
      ))}
    </>
  );
}

/** Realms whose users have no password Keyfob could check (LDAP users unlock with their directory password). */
const PASSWORDLESS_REALMS: string[] = ['http-sso', 'saml', 'oauth'];

const TABS = [
  ['keys', 'Keys'],
  ['tokens', 'Tokens'],
  ['ssh', 'SSH'],
  ['bintray', 'Bintray'],
  ['account', 'Account'],
] as const;
type Tab = (typeof TABS)[number][0];

function Tabs(props: { tab: Tab; setTab: (tab: Tab) => void }) {
  // Arrow keys move between tabs, as the ARIA tabs pattern has it.
  const onKeyDown = (event: KeyboardEvent) => {
    const at = TABS.findIndex(([id]) => id === props.tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(at + step + TABS.length) % TABS.length]![0];
    props.setTab(next);
    (document.getElementById(`tab-${next}`) as HTMLElement | null)?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label="Sections" onKeyDown={onKeyDown}>
      {TABS.map(([id, label]) => (
        <button
          type="button"
          role="tab"
          id={`tab-${id}`}
          key={id}
          aria-selected={props.tab === id}
          aria-controls="tab-panel"
          tabIndex={props.tab === id ? 0 : -1}
          onClick={() => props.setTab(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

function Unlocked(props: { view: Extract<View, { name: 'unlocked' }>; deps: PopupDeps; setView: SetView; clearSeconds: number; autoLock: AutoLock }) {
  const { view, deps, setView } = props;
  const profile: ProfileReply = view.profile;
  const [status, setStatus] = useState('');
  const [tab, setTab] = useState<Tab>('keys');
  const onError = async (error: unknown) => setView(await recover(deps, view, error));
  const client = async () => deps.client(view.serverUrl, await deps.token());
  const section: SectionProps = {
    profile,
    client,
    onProfile: (next) => setView({ ...view, profile: next }),
    onError,
    onStatus: (text) => {
      setStatus(text);
      void deps.touch();
    },
    renderSecret: (secret) => <Secret {...secret} clearSeconds={props.clearSeconds} onError={onError} onStatus={setStatus} />,
  };
  return (
    <>
      <Header title={profile.name} subtitle={accountLine(profile)}>
        <button type="button" onClick={async () => setView(await lock(deps, view))} aria-label="Lock Keyfob" title={lockNote(profile, props.autoLock)}>
          Lock
        </button>
        <button type="button" class="icon" onClick={openSettings} aria-label="Settings" title="Settings">
          <GearIcon />
        </button>
      </Header>
      <Tabs
        tab={tab}
        setTab={(next) => {
          setTab(next);
          setStatus('');
        }}
      />
      <PlainHttpWarning serverUrl={view.serverUrl} />
      <Alert error={view.error} notice={view.notice} />
      <p class="muted small lock-note">{lockNote(profile, props.autoLock)}</p>
      <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} class="panel">
        {tab === 'keys' && (
          <>
            <FillBar profile={profile} onStatus={setStatus} onError={onError} />
            <ApiKey summary={profile.apiKey} deps={deps} view={view} setView={setView} clearSeconds={props.clearSeconds} onStatus={setStatus} />
            {profile.canChangePassword && (
              <section aria-labelledby="ep-heading">
                <h2 id="ep-heading" class="sr-only">
                  Encrypted password
                </h2>
                <Secret
                  label="Encrypted password"
                  id="encrypted-password"
                  masked="AP••••••••••••"
                  clearSeconds={props.clearSeconds}
                  onError={onError}
                  onStatus={setStatus}
                  reveal={async () => (await client()).revealEncryptedPassword()}
                />
              </section>
            )}
          </>
        )}
        {tab !== 'keys' && <LazySection key={tab} tab={tab} {...section} />}
      </div>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      <footer>
        <button type="button" class="link" onClick={async () => setView(await signOut(deps, view.serverUrl))}>
          Sign out
        </button>
      </footer>
    </>
  );
}

function ExpiredPassword(props: { view: Extract<View, { name: 'expired' }>; deps: PopupDeps; setView: SetView }) {
  const sections = useSections();
  return sections ? (
    <sections.ExpiredPasswordView {...props} />
  ) : (
    <p class="muted" aria-busy="true">
      Loading…
    </p>
  );
}

function Views(props: { view: View; setView: SetView; deps: PopupDeps; clearSeconds: number; autoLock: AutoLock }) {
  const { view, setView, deps } = props;
  switch (view.name) {
    case 'loading':
      return (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      );
    case 'setup':
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
    case 'sign-in':
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
    case 'forgot':
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
    case 'expired':
      return <ExpiredPassword view={view} deps={deps} setView={setView} />;
    case 'locked':
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
              You sign in through {view.profile.realm === 'http-sso' ? 'single sign-on' : view.profile.realm.toUpperCase()}, so there is no password to unlock
              with. Ask your Keyfob administrator to let you reach your keys without unlocking.
            </p>
          ) : (
            <ActionForm label="Unlock" action={async ({ password }) => setView(await unlock(deps, view, password ?? ''))}>
              <Field label="Password" name="password" type="password" autoComplete="current-password" autoFocus />
            </ActionForm>
          )}
        </>
      );
    case 'unreachable':
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
    case 'unlocked':
      return <Unlocked view={view} deps={deps} setView={setView} clearSeconds={props.clearSeconds} autoLock={props.autoLock} />;
  }
}

export function Popup(props: { deps: PopupDeps; firstView?: Promise<View> }) {
  const [view, setView] = useState<View>({ name: 'loading' });
  const [clearSeconds, setClearSeconds] = useState(30);
  const [autoLock, setAutoLock] = useState<AutoLock>(DEFAULT_AUTO_LOCK);
  // A layout effect: a plain one waits for the next frame, and the first view should not.
  useLayoutEffect(() => {
    void props.deps.settings().then((s) => {
      setClearSeconds(s.clipboardClearSeconds);
      setAutoLock(s.autoLock);
    });
    (props.firstView ?? openPopup(props.deps)).then(setView, (error) => setView({ name: 'unreachable', serverUrl: '', error: describeError(error).message }));
  }, []);
  // Marks when the first real view is in the DOM (a layout effect runs in the same task as the commit):
  // what `npm run bench` reports as "ready".
  useLayoutEffect(() => {
    if (view.name !== 'loading' && performance.getEntriesByName(READY_MARK).length === 0) performance.mark(READY_MARK);
  }, [view.name]);
  return (
    <div class="popup" data-view={view.name}>
      <Views view={view} setView={setView} deps={props.deps} clearSeconds={clearSeconds} autoLock={autoLock} />
    </div>
  );
}
