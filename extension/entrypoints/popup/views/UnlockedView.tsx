/** Signed in and unlocked: the header with Lock, the tabs, and Sign out, which stay in view while a tab scrolls. */
import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ProfileReply, Realm } from '../../../../shared/schemas';
import { lock, lockNote, recover, signOut } from '../../../lib/popup';
import type { AutoLock } from '../../../lib/storage';
import { Alert, Header, PlainHttpWarning, Secret, Tabs } from '../components';
import { GearIcon } from '../icons';
import { KeysTab } from '../tabs/KeysTab';
import { FromLazyChunk } from '../tabs/LazyTab';
import type { TabProps } from '../tabs/props';
import type { ViewProps } from './props';

const TABS = [
  ['keys', 'Keys'],
  ['tokens', 'Tokens'],
  ['ssh', 'SSH'],
  ['bintray', 'Bintray'],
  ['account', 'Account'],
] as const;
type Tab = (typeof TABS)[number][0];

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

export function UnlockedView(props: ViewProps<'unlocked'> & { clearSeconds: number; autoLock: AutoLock }) {
  const { view, deps, setView } = props;
  const profile = view.profile;
  const [status, setStatus] = useState('');
  const [tab, setTab] = useState<Tab>('keys');
  const onError = async (error: unknown) => setView(await recover(deps, view, error));
  const tabProps: TabProps = {
    profile,
    client: async () => deps.client(view.serverUrl, await deps.token()),
    onProfile: (next) => setView({ ...view, profile: next }),
    onError,
    onStatus: (text) => {
      setStatus(text);
      void deps.touch();
    },
    renderSecret: (secret) => <Secret {...secret} clearSeconds={props.clearSeconds} onError={onError} onStatus={setStatus} />,
  };
  const note = lockNote(profile, props.autoLock);
  return (
    <>
      <Header title={profile.name} subtitle={accountLine(profile)}>
        <button type="button" onClick={async () => setView(await lock(deps, view))} aria-label="Lock Keyfob" title={note}>
          Lock
        </button>
        <button type="button" class="icon" onClick={() => browser.runtime.openOptionsPage()} aria-label="Settings" title="Settings">
          <GearIcon />
        </button>
      </Header>
      <Tabs
        label="Sections"
        tabs={TABS}
        tab={tab}
        setTab={(next) => {
          setTab(next);
          setStatus('');
        }}
      />
      <PlainHttpWarning serverUrl={view.serverUrl} />
      <Alert error={view.error} notice={view.notice} />
      <p class="muted small lock-note">{note}</p>
      <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} class="panel">
        {tab === 'keys' ? (
          <KeysTab {...tabProps} deps={deps} view={view} setView={setView} clearSeconds={props.clearSeconds} />
        ) : (
          <FromLazyChunk
            key={tab}
            render={(chunk) => {
              const LazyTab = { tokens: chunk.TokensTab, ssh: chunk.SshTab, bintray: chunk.BintrayTab, account: chunk.AccountTab }[tab];
              return <LazyTab {...tabProps} />;
            }}
          />
        )}
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
