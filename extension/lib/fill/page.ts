/**
 * The function Keyfob injects into a page, on the user's gesture only, to fill credentials. It runs in
 * the extension's isolated world (the page's scripts cannot see its variables), so it must be entirely
 * self-contained: `scripting.executeScript` sends its source, not its closure.
 *
 * It fills only the top document and same-origin frames, and refuses any field a clickjacking page could
 * use to catch a secret: hidden, disabled, transparent (opacity below 0.7 on it or an ancestor), covered
 * at its centre by another element, or off-screen.
 */

export type SecretLabel = 'API key' | 'encrypted password';

export interface FillRequest {
  /** `login`: find the username and secret fields; `focused`: fill the focused field only. */
  mode: 'login' | 'focused';
  username: string | null;
  secret: string | null;
  secretLabel: SecretLabel;
  /** Ask before putting a secret into an `http://` page that is not on this machine. */
  confirmInsecure: boolean;
  /** Show the outcome in the page (for the shortcut and the context menu, which have no popup). */
  announce: boolean;
}

export interface FillOutcome {
  host: string;
  filled: string[];
  /** Fields left alone, and why, in words for the user. */
  refused: string[];
  /** The user said no to filling an unencrypted page. */
  declined: boolean;
  /** Nothing to fill was found. */
  nothingFound: boolean;
  message: string;
}

export function fillInPage(request: FillRequest): FillOutcome {
  const SECRET_WORDS = /pass(word|wort|wd|e)?|kennwort|contrase|senha|mot de passe|parola|пароль|密码|密碼|パスワード|token|api[\s_-]?key|apikey|secret|credential/i;
  const USER_WORDS = /user|login|e-?mail|account|benutzer|usuario|utilisateur|identifiant|utente|логин|пользовател|用户|用戶|ユーザー|name/i;
  const TEXT_TYPES = ['text', 'email', 'tel', 'url', 'search', 'password'];
  const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

  type Input = HTMLInputElement;
  const refused: string[] = [];

  /** The top document and every same-origin frame in it (a cross-origin frame's document is out of reach). */
  function documents(root: Document): Document[] {
    const found = [root];
    for (const frame of Array.from(root.querySelectorAll('iframe, frame'))) {
      let inner: Document | null = null;
      try {
        inner = (frame as HTMLIFrameElement).contentDocument;
      } catch {
        inner = null;
      }
      if (inner) found.push(...documents(inner));
    }
    return found;
  }

  function describe(el: Input): string {
    const labels = el.labels ? Array.from(el.labels).map((l) => l.textContent ?? '') : [];
    return [el.autocomplete, el.name, el.id, el.placeholder, el.getAttribute('aria-label') ?? '', ...labels].join(' ').toLowerCase();
  }

  /** Why this element may not be filled, or null when it may. Checks the frames it sits in as well. */
  function refusal(el: Element): string | null {
    const input = el as Input;
    if (input.disabled || input.readOnly) return 'disabled';
    if (input.type === 'hidden') return 'hidden';
    const win = el.ownerDocument.defaultView as Window;
    for (let node: Element | null = el; node; node = node.parentElement) {
      const style = win.getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse') return 'hidden';
      if (Number.parseFloat(style.opacity) < 0.7) return 'transparent';
    }
    let rect = el.getBoundingClientRect();
    if (rect.width < 4 || rect.height < 4) return 'hidden';
    el.scrollIntoView({ block: 'center', inline: 'center' });
    rect = el.getBoundingClientRect();
    if (rect.bottom <= 0 || rect.right <= 0 || rect.top >= win.innerHeight || rect.left >= win.innerWidth) return 'off-screen';
    const hit = el.ownerDocument.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    const ownLabel = hit && input.labels && Array.from(input.labels).some((label) => label === hit || label.contains(hit));
    if (hit !== el && !ownLabel && !(hit && el.contains(hit))) return 'covered';
    const frame = win.frameElement;
    if (frame) {
      const frameProblem = refusal(frame);
      if (frameProblem) return `${frameProblem} frame`;
    }
    return null;
  }

  const REASON_WORDS: Record<string, string> = {
    hidden: 'hidden',
    disabled: 'disabled',
    transparent: 'transparent',
    covered: 'covered by something else',
    'off-screen': 'off-screen',
  };
  /** `covered frame` → "covered by something else (in a frame)". */
  function reasonPhrase(reason: string): string {
    const [first, ...rest] = reason.split(' ');
    return `${REASON_WORDS[first as string] ?? first}${rest.length ? ` (in a ${rest.join(' ')})` : ''}`;
  }
  function refuse(kind: string, reason: string) {
    refused.push(`a ${kind} field that is ${reasonPhrase(reason)}`);
  }

  const inputs = documents(document).flatMap((doc) => Array.from(doc.querySelectorAll('input')) as Input[]);
  const fillable = inputs.filter((el) => TEXT_TYPES.includes(el.type));

  function secretScore(el: Input): number {
    const auto = el.autocomplete.toLowerCase();
    if (/new-password|one-time-code/.test(auto)) return 0;
    if (auto.includes('current-password')) return 4;
    if (el.type === 'password') return 3;
    return SECRET_WORDS.test(describe(el)) && el.type !== 'email' ? 2 : 0;
  }
  function userScore(el: Input): number {
    if (secretScore(el) > 0 || el.type === 'password' || el.type === 'search') return 0;
    const auto = el.autocomplete.toLowerCase();
    if (/\b(username|email)\b/.test(auto)) return 4;
    if (el.type === 'email') return 3;
    return USER_WORDS.test(describe(el)) ? 2 : 0;
  }

  /** The best field by score whose refusal is null; the refused ones are reported. */
  function pick(kind: string, score: (el: Input) => number, among: Input[]): Input | null {
    const ranked = among.map((el) => ({ el, score: score(el) })).filter((c) => c.score > 0).sort((a, b) => b.score - a.score);
    for (const { el } of ranked) {
      const problem = refusal(el);
      if (!problem) return el;
      refuse(kind, problem);
    }
    return null;
  }

  /** Sets the value the way typing does, so React, Vue and Angular keep it in their state. */
  function typeInto(el: Input, value: string) {
    el.focus();
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    if (setter) setter.call(el, value);
    else el.value = value;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertReplacementText', data: value }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  function announce(message: string) {
    const host = document.createElement('keyfob-notice');
    const shadow = host.attachShadow({ mode: 'open' });
    const box = document.createElement('div');
    box.setAttribute('role', 'status');
    box.textContent = message;
    box.style.cssText =
      'position:fixed;z-index:2147483647;top:12px;right:12px;max-width:320px;padding:10px 14px;border-radius:8px;background:#1e1f22;color:#fff;font:14px/1.4 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.3)';
    shadow.append(box);
    document.documentElement.append(host);
    setTimeout(() => host.remove(), 4000);
  }

  const host = location.host || location.href;
  const insecure = location.protocol === 'http:' && !LOOPBACK.includes(location.hostname);
  // Once a dialog has been shown the toolbar popup has closed (it closes when focus leaves it), so the
  // outcome is told in the page instead.
  let asked = false;
  const finish = (outcome: Omit<FillOutcome, 'host' | 'refused' | 'message'>, message: string): FillOutcome => {
    const refusedNote = refused.length ? ` Left alone ${refused.join(', ')}.` : '';
    const full = message + refusedNote;
    if (request.announce || asked) announce(`Keyfob: ${full}`);
    return { ...outcome, host, refused, message: full };
  };
  const confirmed = () => {
    if (!insecure || !request.confirmInsecure) return true;
    asked = true;
    return confirm(`Keyfob: ${host} is not encrypted (http://). Fill your ${request.secretLabel} anyway? Anyone on the network could read it.`);
  };

  if (request.mode === 'focused') {
    let el: Element | null = document.activeElement;
    // Into same-origin frames only: a cross-origin frame's document is null from here.
    while (el && (el.tagName === 'IFRAME' || el.tagName === 'FRAME')) {
      let inner: Document | null = null;
      try {
        inner = (el as HTMLIFrameElement).contentDocument;
      } catch {
        inner = null;
      }
      if (!inner) return finish({ filled: [], declined: false, nothingFound: true }, 'Keyfob fills only this page and frames of the same site.');
      el = inner.activeElement;
    }
    if (!el || el.tagName !== 'INPUT' || !fillable.includes(el as Input)) {
      return finish({ filled: [], declined: false, nothingFound: true }, 'Click into a text or password field first.');
    }
    // Loose checks: a null argument may arrive as undefined after the trip into the page.
    const fillingSecret = request.secret != null;
    const value = fillingSecret ? request.secret : request.username;
    const label = fillingSecret ? request.secretLabel : 'username';
    const problem = refusal(el);
    if (problem) return finish({ filled: [], declined: false, nothingFound: true }, `Not filled: that field is ${reasonPhrase(problem)}.`);
    if (fillingSecret && !confirmed()) return finish({ filled: [], declined: true, nothingFound: false }, 'Not filled.');
    typeInto(el as Input, value ?? '');
    return finish({ filled: [label], declined: false, nothingFound: false }, `Filled ${label} on ${host}.`);
  }

  const secretField = request.secret != null ? pick('password', secretScore, fillable) : null;
  // The username field: in the secret field's form when there is one, and before it.
  const userCandidates = secretField
    ? fillable.filter((el) => (secretField.form ? el.form === secretField.form : el.ownerDocument === secretField.ownerDocument) && el.compareDocumentPosition(secretField) & Node.DOCUMENT_POSITION_FOLLOWING)
    : fillable;
  const userField = request.username != null ? pick('username', userScore, userCandidates) : null;
  if (!secretField && !userField) {
    return finish({ filled: [], declined: false, nothingFound: true }, `Found nothing to fill on ${host}.`);
  }
  if (secretField && !confirmed()) return finish({ filled: [], declined: true, nothingFound: false }, 'Not filled.');
  const filled: string[] = [];
  if (userField && request.username != null) {
    typeInto(userField, request.username);
    filled.push('username');
  }
  if (secretField && request.secret != null) {
    typeInto(secretField, request.secret);
    filled.push(request.secretLabel);
  }
  return finish({ filled, declined: false, nothingFound: false }, `Filled ${filled.join(' and ')} on ${host}.`);
}
