/**
 * What Keyfob does inside a page, on the user's gesture only, to fill credentials. It is bundled (with
 * the rules in visibility.ts) into the unlisted script `fill-page.js`, which `scripting.executeScript`
 * loads into the extension's isolated world (the page's scripts cannot see its variables) before calling
 * `keyfobFillPage(request)` there.
 *
 * It fills only the document it runs in, its same-origin frames and open shadow roots, and refuses any
 * field the user cannot see (visibility.ts says what that means). Each field is checked before it is
 * touched, again after it has been focused, and again after its value was set: a page that hides, moves
 * or replaces the field in its own handlers gets the field cleared and a refusal.
 */
import { chainProblem, colorProblem, offScreen, PROBLEM_WORDS, samplePoints, sizeProblem, type Box, type Problem, type StyleLike } from './visibility';

export type SecretLabel = 'API key' | 'encrypted password';

export interface FillRequest {
  /** `login`: find the username and secret fields; `focused`: fill the field the user chose only. */
  mode: 'login' | 'focused';
  username: string | null;
  secret: string | null;
  secretLabel: SecretLabel;
  /** Ask before putting a secret into an `http://` page that is not on this machine. */
  confirmInsecure: boolean;
  /** Show the outcome in the page (for the shortcut and the context menu, which have no popup). */
  announce: boolean;
  /** Firefox's id of the right-clicked element (`menus.onClicked`), for the context menu. */
  targetElementId?: number;
}

export interface FillOutcome {
  host: string;
  /** What was filled: `username`, `API key`, `encrypted password`. */
  filled: string[];
  /** The fields filled, as the page names them ("Username", "Password"). */
  fields: string[];
  /** Fields refused as traps, and why, in words for the user. */
  refused: string[];
  /** The user said no to filling an unencrypted page. */
  declined: boolean;
  /** Nothing was filled. */
  nothingFound: boolean;
  /** A field was refused because the page hides it: the outcome is a warning. */
  trap: boolean;
  message: string;
}

type Field = HTMLInputElement | HTMLTextAreaElement;

const SECRET_WORDS =
  /pass(word|wort|wd|e)?|kennwort|contrase|senha|mot de passe|parola|пароль|密码|密碼|パスワード|token|api[\s_-]?key|apikey|secret|credential/i;
const USER_WORDS = /user|login|e-?mail|account|benutzer|usuario|utilisateur|identifiant|utente|логин|пользовател|用户|用戶|ユーザー/i;
/** A field that names something ("secret_name", "Integration name", "Name"): neither the user name nor the secret. */
const NAMING_WORDS = /(^|[\s_-])(name|title|label|description)\b|\bnom\b/i;
const USER_NAME_WORDS = /(user|login|account|benutzer)[\s_-]?name|username|e-?mail/i;
/** What a label says when it names the user-name field itself (the tie-breaker). */
const USER_LABEL = /user\s?name|login|benutzername/i;
const TEXT_TYPES = ['text', 'email', 'tel', 'url', 'search', 'password'];
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const NOTICE_TAG = 'keyfob-notice';

function isField(el: Element | null): el is Field {
  return !!el && ((el.tagName === 'INPUT' && TEXT_TYPES.includes((el as HTMLInputElement).type)) || el.tagName === 'TEXTAREA');
}

/** The open shadow roots under a root, and theirs (a closed shadow root is out of reach, on purpose). */
function shadowRoots(root: Document | ShadowRoot): ShadowRoot[] {
  const found: ShadowRoot[] = [];
  for (const el of Array.from(root.querySelectorAll('*'))) {
    if (el.shadowRoot) found.push(el.shadowRoot, ...shadowRoots(el.shadowRoot));
  }
  return found;
}

/**
 * Every shadow root under a root, closed ones too, through the isolated world's own API (Chrome's
 * `chrome.dom`, Firefox's `openOrClosedShadowRoot`). Only for hit testing: an overlay a page hides in a
 * closed shadow root must be seen; its fields are never filled.
 */
function allShadowRoots(root: Document | ShadowRoot): ShadowRoot[] {
  const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?: (el: Element) => ShadowRoot | null } } }).chrome?.dom;
  const found: ShadowRoot[] = [];
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const shadow =
      el.shadowRoot ?? dom?.openOrClosedShadowRoot?.(el) ?? (el as Element & { openOrClosedShadowRoot?: ShadowRoot | null }).openOrClosedShadowRoot ?? null;
    if (shadow) found.push(shadow, ...allShadowRoots(shadow));
  }
  return found;
}

function frameDocument(frame: Element): Document | null {
  try {
    return (frame as HTMLIFrameElement).contentDocument;
  } catch {
    return null;
  }
}

/** The top document and every same-origin frame in it (a cross-origin frame's document is out of reach). */
function documents(root: Document): Document[] {
  const found = [root];
  for (const frame of Array.from(root.querySelectorAll('iframe, frame'))) {
    const inner = frameDocument(frame);
    if (inner) found.push(...documents(inner));
  }
  return found;
}

/** Frames whose document Keyfob cannot reach: from another origin. */
function crossOriginFrames(root: Document): string[] {
  const found: string[] = [];
  for (const doc of documents(root)) {
    for (const frame of Array.from(doc.querySelectorAll('iframe, frame'))) {
      if (frameDocument(frame)) continue;
      try {
        found.push(new URL((frame as HTMLIFrameElement).src, doc.baseURI).host);
      } catch {
        found.push('another site');
      }
    }
  }
  return found;
}

function labelText(el: Field): string {
  const labels = el.labels ? Array.from(el.labels).map((l) => (l.textContent ?? '').trim()) : [];
  return [...labels, el.getAttribute('aria-label') ?? '', el.getAttribute('placeholder') ?? ''].join(' ');
}

function describe(el: Field): string {
  return [el.getAttribute('autocomplete') ?? '', el.name, el.id, labelText(el)].join(' ').toLowerCase();
}

/** How the page names a field, for the message: its label, else aria-label, placeholder or name. */
function fieldName(el: Field): string {
  const label = el.labels?.[0]?.textContent?.replace(/\s+/g, ' ').trim();
  return label || el.getAttribute('aria-label') || el.getAttribute('placeholder') || el.name || (el.tagName === 'TEXTAREA' ? 'the text box' : 'the field');
}

function styleOf(el: Element): StyleLike {
  const s = (el.ownerDocument.defaultView as Window).getComputedStyle(el);
  return {
    display: s.display,
    visibility: s.visibility,
    opacity: s.opacity,
    filter: s.filter,
    clipPath: s.clipPath,
    clip: s.clip,
    position: s.position,
    maskImage: s.maskImage || s.getPropertyValue('-webkit-mask-image'),
    mixBlendMode: s.mixBlendMode,
    contentVisibility: s.getPropertyValue('content-visibility'),
  };
}

/** The element's ancestors through shadow roots (the host stands in for its root), the element first. */
function chain(el: Element): Element[] {
  const found: Element[] = [];
  for (let node: Element | null = el; node; ) {
    found.push(node);
    const parent: Node | null = node.parentNode;
    node = parent instanceof ShadowRoot ? parent.host : (node.parentElement ?? null);
  }
  return found;
}

/** The nearest ancestor background colour, or null when an image is painted behind the field first. */
function colorBehind(el: Element): string | null {
  const win = el.ownerDocument.defaultView as Window;
  for (const node of chain(el).slice(1)) {
    const s = win.getComputedStyle(node);
    if (s.backgroundImage && s.backgroundImage !== 'none') return null;
    const alpha = /rgba?\([^)]*[,/]\s*([\d.]+%?)\s*\)/.exec(s.backgroundColor)?.[1];
    if (s.backgroundColor !== 'transparent' && (alpha === undefined || Number.parseFloat(alpha) >= 0.5)) return s.backgroundColor;
  }
  return 'rgb(255, 255, 255)';
}

function colorsOf(el: Element) {
  const s = (el.ownerDocument.defaultView as Window).getComputedStyle(el);
  const sides = ['Top', 'Right', 'Bottom', 'Left'] as const;
  return {
    color: s.color,
    textFill: s.getPropertyValue('-webkit-text-fill-color'),
    background: s.backgroundColor,
    backgroundImage: !!s.backgroundImage && s.backgroundImage !== 'none',
    borders: sides.map((side) => ({
      width: Number.parseFloat(s.getPropertyValue(`border-${side.toLowerCase()}-width`)) || 0,
      style: s.getPropertyValue(`border-${side.toLowerCase()}-style`),
      color: s.getPropertyValue(`border-${side.toLowerCase()}-color`),
    })),
    boxShadow: s.boxShadow,
    behind: colorBehind(el),
  };
}

function boxOf(el: Element): Box {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, width: r.width, height: r.height };
}

/**
 * Whether anything else is painted on top of the element at any of these points. Every element (and
 * pseudo-element) is made hit-testable for the moment: an overlay with `pointer-events: none` hides a field
 * as well as any other. The hit test runs in the element's own tree, so a field in a shadow root is not
 * mistaken for its host.
 */
function coveredAt(el: Element, points: [number, number][]): boolean {
  const doc = el.ownerDocument;
  const tree = el.getRootNode() as Document | ShadowRoot;
  const undo = [doc, ...allShadowRoots(doc)].map((root) => hitTestable(doc, root));
  try {
    return points.some(([x, y]) => !isOwn(el, tree.elementsFromPoint(x, y)[0]));
  } finally {
    for (const restore of undo) restore();
  }
}

const HIT_TESTABLE = '*, *::before, *::after { pointer-events: auto !important; }';

/** Makes everything in a tree hit-testable until the returned function is called. */
function hitTestable(doc: Document, root: Document | ShadowRoot): () => void {
  // A constructed sheet is not subject to the page's Content-Security-Policy, as a <style> element is.
  try {
    const sheet = new (doc.defaultView as Window & typeof globalThis).CSSStyleSheet();
    sheet.replaceSync(HIT_TESTABLE);
    const before = root.adoptedStyleSheets;
    root.adoptedStyleSheets = [...before, sheet];
    return () => {
      root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
    };
  } catch {
    const style = doc.createElement('style');
    style.textContent = HIT_TESTABLE;
    (root instanceof Document ? root.documentElement : root).append(style);
    return () => style.remove();
  }
}

/** Whether `hit` is the element, inside it, or the field's own label. */
function isOwn(el: Element, hit: Element | undefined): boolean {
  if (!hit) return false;
  if (hit === el || el.contains(hit)) return true;
  const labels = (el as Field).labels;
  return !!labels && Array.from(labels).some((label) => label === hit || label.contains(hit));
}

/** Why the user cannot see this field (or frame), or null when they can. Checks the frames it sits in as well. */
function problemOf(el: Element, points?: [number, number][]): Problem | null {
  const field = el as Field;
  if (isField(el) && (field.disabled || field.readOnly)) return 'disabled';
  if (el.tagName === 'INPUT' && (el as HTMLInputElement).type === 'hidden') return 'not-shown';
  const win = el.ownerDocument.defaultView as Window;
  const styled = chainProblem(chain(el).map(styleOf));
  if (styled) return styled;
  const visible = (el as Element & { checkVisibility?: (o: object) => boolean }).checkVisibility;
  if (
    visible &&
    !visible.call(el, { checkOpacity: true, checkVisibilityCSS: true, contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true })
  ) {
    return (el as HTMLElement).offsetParent === null && styleOf(el).position !== 'fixed' ? 'not-shown' : 'transparent';
  }
  let rect = boxOf(el);
  if (rect.width === 0 && rect.height === 0) return 'not-shown';
  const size = sizeProblem(rect, { width: (el as HTMLElement).offsetWidth, height: (el as HTMLElement).offsetHeight });
  if (size) return size;
  if (isField(el)) {
    el.scrollIntoView({ block: 'center', inline: 'center' });
    rect = boxOf(el);
  }
  if (offScreen(rect, { width: win.innerWidth, height: win.innerHeight })) return 'off-screen';
  if (isField(el)) {
    const colors = colorProblem(colorsOf(el));
    if (colors) return colors;
  }
  const at = points ?? samplePoints(rect);
  if (coveredAt(el, at)) return 'covered';
  const frame = win.frameElement;
  if (frame) {
    // The same points, in the parent's coordinates: the frame must be on top there too.
    const f = frame.getBoundingClientRect();
    const offset: [number, number] = [f.left + frame.clientLeft, f.top + frame.clientTop];
    const frameProblem = problemOf(
      frame,
      at.map(([x, y]) => [x + offset[0], y + offset[1]]),
    );
    if (frameProblem) return frameProblem;
  }
  return null;
}

function sameBox(a: Box, b: Box): boolean {
  return Math.abs(a.left - b.left) < 1 && Math.abs(a.top - b.top) < 1 && Math.abs(a.width - b.width) < 1 && Math.abs(a.height - b.height) < 1;
}

function setValue(el: Field, value: string) {
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, value);
  else el.value = value;
  el.dispatchEvent(
    new InputEvent('input', { bubbles: true, composed: true, inputType: value ? 'insertReplacementText' : 'deleteContentBackward', data: value || null }),
  );
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * Sets the value the way typing does, so React, Vue and Angular keep it in their state, checking the
 * field again after the page's focus and input handlers ran. Returns false (with the field cleared) when
 * the page hid, moved or replaced it meanwhile.
 */
function typeInto(el: Field, value: string): boolean {
  // Checked (and so scrolled into view) first: the box is compared from where it then stands.
  if (problemOf(el) !== null) return false;
  const before = boxOf(el);
  el.focus({ preventScroll: true });
  // Behind the toolbar popup the tab has no focus, and the browser holds the focus event back until it
  // has: the page's focus handlers must run now, while Keyfob is looking.
  if (!el.ownerDocument.hasFocus()) {
    el.dispatchEvent(new FocusEvent('focus'));
    el.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
  }
  const stillThere = () =>
    el.isConnected && (el.getRootNode() as Document | ShadowRoot).activeElement === el && problemOf(el) === null && sameBox(before, boxOf(el));
  if (!stillThere()) return false;
  setValue(el, value);
  if (stillThere() && el.value === value) {
    watchFocus(el, value);
    return true;
  }
  setValue(el, '');
  return false;
}

/**
 * The real focus event comes later when the tab had no focus (the popup had it): a page handler that
 * waits for a trusted event to hide the field finds the field cleared.
 */
function watchFocus(el: Field, value: string) {
  if (el.ownerDocument.hasFocus()) return;
  const recheck = () => {
    if (el.value === value && problemOf(el) !== null) {
      setValue(el, '');
      announce(`Keyfob: This page hid the field ${fieldName(el)} once Keyfob had filled it: Keyfob cleared it.`, true);
    }
  };
  el.addEventListener('focus', recheck, { once: true });
  setTimeout(() => el.removeEventListener('focus', recheck), 60_000);
}

function announce(message: string, warning: boolean) {
  const host = document.createElement(NOTICE_TAG);
  const shadow = host.attachShadow({ mode: 'open' });
  const box = document.createElement('div');
  box.setAttribute('role', warning ? 'alert' : 'status');
  box.textContent = message;
  box.style.cssText = `position:fixed;z-index:2147483647;top:12px;right:12px;max-width:340px;padding:10px 14px;border-radius:8px;background:${warning ? '#7a1f1f' : '#1e1f22'};color:#fff;font:14px/1.4 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.3);pointer-events:none`;
  shadow.append(box);
  document.documentElement.append(host);
  setTimeout(() => host.remove(), 6000);
}

/** The focused element, through open shadow roots and same-origin frames; null when it is in a cross-origin frame. */
function deepActive(doc: Document): Element | null | 'cross-origin' {
  let el: Element | null = doc.activeElement;
  for (;;) {
    if (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    else if (el && (el.tagName === 'IFRAME' || el.tagName === 'FRAME')) {
      const inner = frameDocument(el);
      if (!inner) return 'cross-origin';
      el = inner.activeElement;
    } else return el;
  }
}

/** The deepest element under the pointer (where the user right-clicked), through open shadow roots. */
function hovered(doc: Document): Element | null {
  const list = doc.querySelectorAll(':hover');
  let el: Element | null = list[list.length - 1] ?? null;
  while (el?.shadowRoot) {
    const inner = el.shadowRoot.querySelectorAll(':hover');
    if (!inner.length) break;
    el = inner[inner.length - 1]!;
  }
  return el;
}

export function fillInPage(request: FillRequest): FillOutcome {
  for (const old of Array.from(document.querySelectorAll(NOTICE_TAG))) old.remove();
  const refused: string[] = [];
  const host = location.host || location.href;
  const insecure = location.protocol === 'http:' && !LOOPBACK.includes(location.hostname);
  // Once a dialog has been shown the toolbar popup has closed (it closes when focus leaves it), so the
  // outcome is told in the page instead.
  let asked = false;
  let trap = false;

  function refuse(problem: Problem) {
    if (problem === 'not-shown') return;
    trap = true;
    refused.push(PROBLEM_WORDS[problem]);
  }
  const finish = (filled: string[], fields: string[], message: string, declined = false): FillOutcome => {
    const warning = refused.length ? ` This page hides a field (${[...new Set(refused)].join(', ')}): Keyfob did not fill it.` : '';
    const full = (message + warning).trim();
    if (request.announce || asked) announce(`Keyfob: ${full}`, trap);
    return { host, filled, fields, refused, declined, nothingFound: filled.length === 0, trap, message: full };
  };
  const confirmed = () => {
    if (!insecure || !request.confirmInsecure) return true;
    asked = true;
    return confirm(`Keyfob: ${host} is not encrypted (http://). Fill your ${request.secretLabel} anyway? Anyone on the network could read it.`);
  };
  const sentence = (kinds: string[], fields: string[]) => {
    const words = kinds.map((k) => (k === 'username' ? 'user name' : k)).join(' and ');
    return `${words[0]!.toUpperCase()}${words.slice(1)} filled into ${fields.join(' and ')} on ${host}.`;
  };

  if (request.mode === 'focused') {
    const fillingSecret = request.secret != null;
    const value = (fillingSecret ? request.secret : request.username) ?? '';
    const kind = fillingSecret ? request.secretLabel : 'username';
    let el: Element | null | 'cross-origin';
    if (window !== window.top) {
      try {
        void window.top?.document;
      } catch {
        return finish([], [], 'That field is in a frame from another site: Keyfob fills only the site in the address bar.');
      }
    }
    type Menus = { getTargetElement?: (id: number) => Element | null };
    const api = (globalThis as { browser?: { menus?: Menus; contextMenus?: Menus } }).browser;
    const menus = api?.menus ?? api?.contextMenus;
    if (request.targetElementId !== undefined && menus?.getTargetElement) {
      // Firefox names the element that was right-clicked, whatever the page did with the focus since.
      el = menus.getTargetElement(request.targetElementId);
    } else {
      el = deepActive(document);
      // Chrome names only the frame: the field must be the one still under the pointer of the right-click.
      const pointer = hovered(document);
      if (el && el !== 'cross-origin' && isField(pointer) && pointer !== el) {
        trap = true;
        return finish([], [], 'The page moved the focus away from the field you right-clicked: Keyfob did not fill it.');
      }
    }
    if (el === 'cross-origin') return finish([], [], 'That field is in a frame from another site: Keyfob fills only the site in the address bar.');
    if (!isField(el)) return finish([], [], 'Click into a text or password field first.');
    const problem = problemOf(el);
    if (problem) {
      // The focus is in a field the page does not show: no later step of a login, a trap.
      trap = true;
      refused.push(PROBLEM_WORDS[problem]);
      return finish([], [], '');
    }
    if (fillingSecret && !confirmed()) return finish([], [], 'Not filled.', true);
    if (!typeInto(el, value)) {
      refuse('changed');
      return finish([], [], '');
    }
    return finish([kind], [fieldName(el)], sentence([kind], [fieldName(el)]));
  }

  const roots: (Document | ShadowRoot)[] = documents(document).flatMap((doc) => [doc, ...shadowRoots(doc)]);
  const fillable = roots.flatMap((root) => Array.from(root.querySelectorAll('input, textarea'))).filter(isField);

  function secretScore(el: Field): number {
    const auto = (el.getAttribute('autocomplete') ?? '').toLowerCase();
    if (/new-password|one-time-code/.test(auto)) return 0;
    if (auto.includes('current-password')) return 4;
    const words = describe(el);
    if (NAMING_WORDS.test(words) && !(el as HTMLInputElement).type?.includes('password')) return 0;
    if ((el as HTMLInputElement).type === 'password') return 3;
    return SECRET_WORDS.test(words) && (el as HTMLInputElement).type !== 'email' ? 2 : 0;
  }
  function userScore(el: Field): number {
    if (el.tagName === 'TEXTAREA' || secretScore(el) > 0 || (el as HTMLInputElement).type === 'password' || (el as HTMLInputElement).type === 'search')
      return 0;
    const auto = (el.getAttribute('autocomplete') ?? '').toLowerCase();
    if (/\b(username|email)\b/.test(auto)) return 4;
    if ((el as HTMLInputElement).type === 'email') return 3;
    const words = describe(el);
    if (NAMING_WORDS.test(words) && !USER_NAME_WORDS.test(words)) return 0;
    if (!USER_WORDS.test(words)) return 0;
    // Two such fields: the one whose label says it is the user name wins.
    return USER_LABEL.test(labelText(el)) ? 2.5 : 2;
  }

  /** The best field by score that the user can see; the traps are reported. */
  function pick(score: (el: Field) => number, among: Field[]): Field | null {
    const ranked = among
      .map((el) => ({ el, score: score(el) }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score);
    for (const { el } of ranked) {
      const problem = problemOf(el);
      if (!problem) return el;
      refuse(problem);
    }
    return null;
  }

  const secretField = request.secret != null ? pick(secretScore, fillable) : null;
  // The username field: in the secret field's form when there is one, and before it.
  const userCandidates = secretField
    ? fillable.filter(
        (el) =>
          (secretField.form ? el.form === secretField.form : el.getRootNode() === secretField.getRootNode()) &&
          el.compareDocumentPosition(secretField) & Node.DOCUMENT_POSITION_FOLLOWING,
      )
    : fillable;
  const userField = request.username != null ? pick(userScore, userCandidates) : null;
  if (!secretField && !userField) {
    const frames = crossOriginFrames(document);
    if (!trap && frames.length) {
      return finish(
        [],
        [],
        `Found nothing to fill on ${host}. The form may be in the frame from ${frames[0]}, another site: Keyfob fills only the site in the address bar.`,
      );
    }
    return finish([], [], trap ? '' : `Found nothing to fill on ${host}.`);
  }
  if (secretField && !confirmed()) return finish([], [], 'Not filled.', true);
  const filled: string[] = [];
  const fields: string[] = [];
  if (userField && request.username != null) {
    if (typeInto(userField, request.username)) {
      filled.push('username');
      fields.push(fieldName(userField));
    } else refuse('changed');
  }
  if (secretField && request.secret != null) {
    if (typeInto(secretField, request.secret)) {
      filled.push(request.secretLabel);
      fields.push(fieldName(secretField));
    } else refuse('changed');
  }
  return finish(filled, fields, filled.length ? sentence(filled, fields) : '');
}
