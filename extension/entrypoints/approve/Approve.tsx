import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { approveOrigin, browserFillDeps } from '../../lib/fill/browserFill';
import { fillTab, originOf, type FillTarget } from '../../lib/fill/fill';

/**
 * The first fill of a secret into a site asks here, in a window of the extension's own (a page can cover
 * or imitate anything drawn inside it). "Allow" remembers the site and fills the tab as asked.
 */
export function Approve(props: { query: string }) {
  const params = new URLSearchParams(props.query);
  const origin = params.get('origin') ?? '';
  const tabId = Number(params.get('tab'));
  const [status, setStatus] = useState('');
  let target: FillTarget | null = null;
  try {
    target = JSON.parse(params.get('target') ?? '') as FillTarget;
  } catch {
    target = null;
  }
  if (!originOf(origin) || !target || !Number.isInteger(tabId)) return <p class="alert error">This window was opened without a site to ask about.</p>;
  const what = target.kind === 'login' ? 'your user name and secret' : target.field === 'apiKey' ? 'your API key' : 'your encrypted password';

  const allow = async () => {
    await approveOrigin(origin);
    const tab = await browser.tabs.get(tabId).catch(() => null);
    if (!tab || originOf(tab.url) !== origin) {
      setStatus(`Allowed. The tab is no longer on ${origin}, so nothing was filled.`);
      return;
    }
    const result = await fillTab(browserFillDeps, tab, target, { announce: true });
    if (result.ok) window.close();
    else setStatus(result.message);
  };

  return (
    <div class="popup approve" data-view="approve">
      <h1>Fill into this site?</h1>
      <p>
        Keyfob has not filled a secret into <strong class="origin">{origin}</strong> before. Allow it to fill {what} there, now and next time?
      </p>
      <p class="muted small">Only allow a site you meant to sign in to. You can take this back in Keyfob's settings.</p>
      <div class="row">
        <button type="button" class="primary" onClick={allow}>
          Allow {new URL(origin).host}
        </button>
        <button type="button" onClick={() => window.close()}>
          Don't allow
        </button>
      </div>
      <p class="status" role="status">
        {status}
      </p>
    </div>
  );
}
