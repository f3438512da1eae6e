/** The tab the popup opens on: Fill for the active tab, the API key, and the encrypted password. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { API_KEY_OVERLAP_CHOICES_SECONDS } from '../../../../shared/formats';
import type { ApiKeySummary, ProfileReply } from '../../../../shared/schemas';
import type { SecretChoice } from '../../../lib/fill/fill';
import { endOldApiKey, generateApiKey, overlapWords, regenerateApiKey, revealFailed, revokeApiKey, type KeyStep, type PopupDeps } from '../../../lib/popup';
import { fillableOrigin, fillChoice, fillFromPopup } from '../../../lib/popupFill';
import { fillChoicesItem } from '../../../lib/storage';
import { relative } from '../../../lib/relativeTime';
import { lastUse, unusedLong } from '../../../lib/usage';
import { Confirm, Secret } from '../components';
import { FromLazyChunk } from './LazyTab';
import type { SetView, ViewOf } from '../views/props';
import type { TabProps } from './props';

interface KeyProps {
  deps: PopupDeps;
  view: ViewOf<'unlocked'>;
  setView: SetView;
  clearSeconds: number;
}

function ApiKey(props: KeyProps & Pick<TabProps, 'onStatus'>) {
  const { deps, view, setView } = props;
  const [asking, setAsking] = useState<'regenerate' | 'revoke' | 'end-old' | null>(null);
  // How long the old key keeps working after a regenerate: the choices this server allows.
  const overlapChoices = API_KEY_OVERLAP_CHOICES_SECONDS.filter((seconds) => seconds <= view.profile.apiKeyOverlapMaxSeconds);
  const [overlap, setOverlap] = useState(0);
  const [fresh, setFresh] = useState<KeyStep['revealed'] | null>(null);
  // Each new key remounts its Secret, so nothing of the old key (shown, cached) carries over.
  const [generation, setGeneration] = useState(0);
  // A reveal that fails may mean the key was revoked elsewhere: show the server's state, one consistent view.
  const onRevealError = async (error: unknown) => {
    setFresh(null);
    setGeneration((g) => g + 1);
    setView(await revealFailed(deps, view, error));
  };
  const run = async (action: (deps: PopupDeps, view: ViewOf<'unlocked'>) => Promise<KeyStep>) => {
    setAsking(null);
    const step = await action(deps, view);
    setGeneration((g) => g + 1);
    setFresh(step.revealed ?? null);
    setView(step.view);
    if (step.status) props.onStatus(step.status);
  };
  const summary: ApiKeySummary | null = fresh?.summary ?? view.profile.apiKey;

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
        reveal={async () => fresh?.apiKey ?? (await deps.client(view.serverUrl, await deps.token()).revealApiKey()).apiKey}
        clearSeconds={props.clearSeconds}
        onError={onRevealError}
        onStatus={props.onStatus}
      />
      <p class="muted small">
        Created {relative(summary.createdAt)} · Last used {lastUse(summary.lastUsedAt, summary.usage)}
      </p>
      {unusedLong(summary.createdAt, summary.lastUsedAt) && <FromLazyChunk render={(chunk) => <chunk.UnusedNotice />} />}
      {summary.needsRegeneration && <FromLazyChunk render={(chunk) => <chunk.LegacyKeyNotice />} />}
      {summary.previous && <FromLazyChunk render={(chunk) => <chunk.OldApiKey previous={summary.previous!} onEnd={() => setAsking('end-old')} />} />}
      {asking === 'regenerate' && (
        <Confirm
          text={
            overlap === 0
              ? 'Regenerate your API key? Scripts using the current key stop working at once.'
              : `Regenerate your API key? The current key keeps working for ${overlapWords(overlap)}, so scripts can move to the new one.`
          }
          confirm="Regenerate"
          onCancel={() => setAsking(null)}
          onConfirm={() => run((d, v) => regenerateApiKey(d, v, overlap))}
        >
          {overlapChoices.length > 1 && (
            <FromLazyChunk render={(chunk) => <chunk.OverlapChoice choices={overlapChoices} value={overlap} onChange={setOverlap} />} />
          )}
        </Confirm>
      )}
      {asking === 'end-old' && (
        <FromLazyChunk render={(chunk) => <chunk.EndOldKeyConfirm onCancel={() => setAsking(null)} onConfirm={() => run(endOldApiKey)} />} />
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

/** Fill: the active tab gets the username and the chosen secret; the choice is remembered per site. */
function FillBar(props: { profile: ProfileReply; onStatus: (text: string) => void; onError: (error: unknown) => void }) {
  const { profile } = props;
  const [tab, setTab] = useState<{ id?: number; url?: string } | null>(null);
  const [remembered, setRemembered] = useState<SecretChoice | null>(null);
  const [choice, setChoice] = useState<SecretChoice>(fillChoice(profile, null));
  const [busy, setBusy] = useState(false);
  // A key generated or revoked while the popup is open moves the choice with it.
  const hadKey = useRef(Boolean(profile.apiKey));
  useEffect(() => {
    if (Boolean(profile.apiKey) !== hadKey.current) setChoice(fillChoice(profile, remembered));
    hadKey.current = Boolean(profile.apiKey);
  }, [Boolean(profile.apiKey)]);
  useEffect(() => {
    void browser.tabs
      .query({ active: true, currentWindow: true })
      .then(async ([active]) => {
        setTab(active ?? null);
        const origin = fillableOrigin(active?.url);
        const saved = origin ? ((await fillChoicesItem.getValue())[origin] ?? null) : null;
        setRemembered(saved);
        setChoice(fillChoice(profile, saved));
      })
      .catch(() => undefined);
  }, []);
  const origin = fillableOrigin(tab?.url);
  if (!origin) return null;
  const fill = async () => {
    setBusy(true);
    try {
      props.onStatus(await fillFromPopup(tab ?? {}, choice));
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };
  const host = new URL(origin).host;
  return (
    <section class="fill" aria-label={`Fill ${host}`}>
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
      <p class="muted small">Into {host}</p>
    </section>
  );
}

export function KeysTab(props: TabProps & KeyProps) {
  const { profile } = props;
  return (
    <>
      <FillBar profile={profile} onStatus={props.onStatus} onError={props.onError} />
      <ApiKey deps={props.deps} view={props.view} setView={props.setView} clearSeconds={props.clearSeconds} onStatus={props.onStatus} />
      {profile.canChangePassword && (
        <section aria-labelledby="ep-heading">
          <h2 id="ep-heading" class="sr-only">
            Encrypted password
          </h2>
          {props.renderSecret({
            label: 'Encrypted password',
            id: 'encrypted-password',
            masked: 'AP••••••••••••',
            reveal: async () => (await props.client()).revealEncryptedPassword(),
          })}
        </section>
      )}
    </>
  );
}
