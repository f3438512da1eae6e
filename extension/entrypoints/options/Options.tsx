import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { normaliseServerUrl } from '../../lib/popup';
import { hostPermissionPattern } from '../../lib/popupDeps';
import { ApprovedSites } from './ApprovedSites';
import {
  DEFAULT_SERVER_URL,
  AUTO_LOCK_CHOICES,
  autoLockItem,
  clipboardClearSecondsItem,
  readSettings,
  serverUrlItem,
  sessionTokenItem,
  type AutoLock,
  type Settings,
} from '../../lib/storage';

const CLEAR_CHOICES = [10, 30, 60, 120];
const AUTO_LOCK_LABELS: Record<AutoLock, string> = {
  '1': 'After 1 minute',
  '5': 'After 5 minutes',
  '15': 'After 15 minutes',
  '60': 'After 1 hour',
  restart: 'When the browser restarts',
};

/** Server address, clipboard delay and auto-lock. Changing the server signs out of the old one. */
export function Options() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [status, setStatus] = useState('');
  useEffect(() => void readSettings().then(setSettings), []);
  if (!settings) return null;

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const serverUrl = normaliseServerUrl(String(form.get('serverUrl') ?? ''));
    if (!serverUrl) return setStatus('Enter a valid http:// or https:// address.');
    if (serverUrl !== settings.serverUrl) {
      // Firefox refuses a pattern with a port (the request throws), so the pattern is the browser's own kind.
      const granted = await browser.permissions.request({ origins: [hostPermissionPattern(serverUrl, import.meta.env.BROWSER)] }).catch(() => false);
      if (!granted) return setStatus(`Not saved: Keyfob needs your permission to reach ${serverUrl}. Save again and allow it.`);
      await sessionTokenItem.setValue(null);
      await serverUrlItem.setValue(serverUrl);
    }
    await clipboardClearSecondsItem.setValue(Number(form.get('clearSeconds')));
    await autoLockItem.setValue(String(form.get('autoLock')) as AutoLock);
    setSettings(await readSettings());
    setStatus('Saved.');
  };

  return (
    <div class="popup options">
      <h1>Keyfob settings</h1>
      <form onSubmit={save}>
        <label class="field">
          <span>Server address</span>
          <input name="serverUrl" type="text" inputMode="url" spellcheck={false} value={settings.serverUrl ?? DEFAULT_SERVER_URL} required />
        </label>
        <label class="field">
          <span>Clear the clipboard after copying</span>
          <select name="clearSeconds" value={String(settings.clipboardClearSeconds)}>
            {CLEAR_CHOICES.map((s) => (
              <option value={String(s)}>{s} seconds</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Lock Keyfob when idle</span>
          <select name="autoLock" value={settings.autoLock}>
            {AUTO_LOCK_CHOICES.map((choice) => (
              <option value={choice}>{AUTO_LOCK_LABELS[choice]}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Save
        </button>
        <p class="status" role="status">
          {status}
        </p>
      </form>
      <Shortcuts />
      <ApprovedSites />
    </div>
  );
}

/** The keyboard shortcuts as the browser has them now (the user may have changed them there). */
function Shortcuts() {
  const [commands, setCommands] = useState<{ name?: string; description?: string; shortcut?: string }[]>([]);
  useEffect(() => void browser.commands.getAll().then(setCommands, () => undefined), []);
  if (commands.length === 0) return null;
  const where = import.meta.env.BROWSER === 'firefox' ? 'about:addons → ⚙ → Manage Extension Shortcuts' : 'chrome://extensions/shortcuts';
  return (
    <section class="shortcuts" aria-labelledby="shortcuts-heading">
      <h2 id="shortcuts-heading">Keyboard shortcuts</h2>
      <dl>
        {commands.map((command) => (
          <div key={command.name}>
            <dt>{command.name === '_execute_action' ? 'Open Keyfob' : command.description}</dt>
            <dd>
              <kbd>{command.shortcut || 'not set'}</kbd>
            </dd>
          </div>
        ))}
      </dl>
      <p class="muted small">Change them in {where}.</p>
    </section>
  );
}
