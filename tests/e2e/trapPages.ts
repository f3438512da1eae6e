/**
 * Pages that try to catch a filled secret in a field the user cannot see, and realistic logins that must
 * still fill. Each trap has one field, `pass`, that looks like a password field to a script and is hidden
 * from the eye by the trick its name says. `crossOrigin` is where the laid-over frame comes from.
 */
const RECORD = `
<script>
  window.received = null;
  document.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    window.received = Object.fromEntries([...form.querySelectorAll('input, textarea')].filter((i) => i.name).map((i) => [i.name, i.value]));
  });
</script>`;

const page = (title: string, body: string, head = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:15px system-ui;margin:40px;background:#fff} label{display:block;margin:8px 0} input,textarea{display:block;width:260px;padding:6px}
.wrap{position:relative;width:280px}</style>${head}
</head><body><h1>${title}</h1>${body}${RECORD}</body></html>`;

const trap = (title: string, field: string, extra = '', head = '') =>
  page(title, `<form><label>User <input name="user"></label>${field}<button>Sign in</button></form>${extra}`, head);

const PASS = '<input name="pass" type="password" aria-label="Password">';

/** The trap pages, by path: each must leave the secret out of the page and say why. */
export const trapPages = (crossOrigin: string): Record<string, string> => ({
  '/trap/filter-opacity': trap('Filter opacity', `<div style="filter:opacity(0)">${PASS}</div>`),
  '/trap/filter-opacity-field': trap('Filter opacity on the field', '<input name="pass" type="password" style="filter:opacity(0.05)">'),
  '/trap/opacity-product': trap('Opacity, multiplied', `<div style="opacity:0.8"><div style="opacity:0.8"><div style="opacity:0.8">${PASS}</div></div></div>`),
  '/trap/mask': trap(
    'Mask image',
    `<div style="-webkit-mask-image:linear-gradient(transparent,transparent);mask-image:linear-gradient(transparent,transparent)">${PASS}</div>`,
  ),
  '/trap/blend': trap('Blend mode', `<div style="mix-blend-mode:lighten;background:#fff">${PASS}</div>`),
  '/trap/clip-path': trap('Clip path', `<div style="clip-path:inset(50%)">${PASS}</div>`),
  '/trap/transparent-colors': trap(
    'Transparent field',
    '<input name="pass" type="password" style="color:transparent;background:transparent;border-color:transparent">',
  ),
  '/trap/same-as-background': trap('White on white', '<input name="pass" type="password" style="color:#fff;background:#fff;border:1px solid #fff">'),
  '/trap/scale': trap('Scaled down', '<input name="pass" type="password" style="transform:scale(0.05);transform-origin:0 0">'),
  '/trap/zoom': trap('Zoomed out', `<div style="zoom:0.05">${PASS}</div>`),
  '/trap/overlay-pointer-events': trap(
    'Overlay that lets clicks through',
    `<div class="wrap">${PASS}<div style="position:absolute;inset:0;background:#fff;pointer-events:none"></div></div>`,
  ),
  '/trap/overlay-after': trap(
    'Overlay drawn by ::after',
    `<div class="wrap cover">${PASS}</div>`,
    '',
    '<style>.cover::after{content:"";position:absolute;inset:0;background:#fff;pointer-events:none}</style>',
  ),
  '/trap/overlay-hole': trap(
    'Overlay with a hole at the centre',
    `<div class="wrap" style="height:32px">${PASS}
      <div style="position:absolute;left:0;top:0;width:100%;height:12px;background:#fff"></div>
      <div style="position:absolute;left:0;bottom:0;width:100%;height:12px;background:#fff"></div>
      <div style="position:absolute;left:0;top:0;width:125px;height:100%;background:#fff"></div>
      <div style="position:absolute;right:0;top:0;width:125px;height:100%;background:#fff"></div></div>`,
  ),
  '/trap/popover': trap(
    'Popover in front',
    `<div class="wrap" id="anchor">${PASS}</div>`,
    `<div popover="manual" id="pop" style="margin:0;border:0;padding:0;background:#fff;width:280px;height:40px">Welcome!</div>
     <script>const r = document.getElementById('anchor').getBoundingClientRect(); const p = document.getElementById('pop');
       p.style.position = 'fixed'; p.style.left = r.left + 'px'; p.style.top = r.top + 'px'; p.showPopover();</script>`,
  ),
  '/trap/dialog': trap(
    'Non-modal dialog in front',
    `<div class="wrap" id="anchor">${PASS}</div>`,
    `<dialog open id="dlg" style="margin:0;border:0;padding:0;background:#fff;width:280px;height:40px">News</dialog>
     <script>const r = document.getElementById('anchor').getBoundingClientRect(); const d = document.getElementById('dlg');
       d.style.position = 'absolute'; d.style.left = r.left + scrollX + 'px'; d.style.top = r.top + scrollY + 'px';</script>`,
  ),
  '/trap/hide-on-focus': trap('Hidden by its focus handler', `<input name="pass" type="password" onfocus="this.style.opacity='0'">`),
  '/trap/move-on-focus': trap('Moved by its focus handler', `<input name="pass" type="password" onfocus="this.style.transform='translateX(-5000px)'">`),
  '/trap/hide-on-input': trap('Hidden by its input handler', `<input name="pass" type="password" oninput="this.style.opacity='0'">`),
  '/trap/replace-on-focus': trap(
    'Replaced by its focus handler',
    `<input name="pass" type="password" onfocus="const hidden = this.cloneNode(); hidden.style.opacity = '0'; hidden.onfocus = null; this.replaceWith(hidden); hidden.focus()">`,
  ),
  '/trap/closed-shadow-overlay': trap(
    'Overlay in a closed shadow root',
    `<div class="wrap">${PASS}<cover-up style="position:absolute;inset:0"></cover-up></div>`,
    `<script>customElements.define('cover-up', class extends HTMLElement { connectedCallback() {
       this.attachShadow({ mode: 'closed' }).innerHTML = '<div style="position:absolute;inset:0;background:#fff;pointer-events:none"></div>';
       this.style.pointerEvents = 'none'; } });</script>`,
  ),
  '/trap/tiny': trap('One pixel', '<input name="pass" type="password" style="width:1px;height:1px;padding:0;border:0">'),
  '/trap/offscreen': trap('Off-screen', '<input name="pass" type="password" style="position:absolute;left:-9999px;top:-9999px">'),
  '/trap/cross-origin-overlay': trap(
    'A frame from another site laid over the field',
    `<div class="wrap">${PASS}<iframe src="${crossOrigin}/blank" style="position:absolute;inset:0;width:100%;height:100%;border:0;background:transparent"></iframe></div>`,
  ),
});

/** Realistic logins: each must fill. */
export const loginPages = (): Record<string, string> => ({
  '/login/artifactory': page(
    'JFrog Artifactory',
    `<form><label for="u">Username</label><input id="u" name="username" autocomplete="username"><label for="p">Password</label><input id="p" name="password" type="password" autocomplete="current-password"><button>Log in</button></form>`,
  ),
  '/login/jenkins': page(
    'Sign in [Jenkins]',
    `<form><input name="j_username" placeholder="Username" autocomplete="username"><input name="j_password" type="password" placeholder="Password"><button>Sign in</button></form>`,
  ),
  '/login/github-secret': page(
    'Actions secrets / New secret',
    `<form><label for="secret_name">Name</label><input id="secret_name" name="secret_name"><label for="secret_value">Secret</label><textarea id="secret_value" name="secret_value"></textarea><button>Add secret</button></form>`,
  ),
  '/login/integration': page(
    'New integration',
    `<form><label>Integration name <input name="integration_name"></label><label>Name <input name="name"></label><label>API key <input name="key"></label><button>Save</button></form>`,
  ),
  '/login/tie': page(
    'Two user fields',
    `<form><label>Account e-mail for notices <input name="notify"></label><label>User name <input name="login"></label><label>Password <input name="pass" type="password"></label><button>Go</button></form>`,
  ),
  '/login/multi-step': page(
    'Sign in: step 1',
    `<form><label>Email or username <input name="user"></label><div style="display:none"><label>Password <input name="pass" type="password"></label></div><button>Next</button></form>`,
  ),
  '/login/shadow': page(
    'Web component login',
    `<form id="f"><login-box></login-box><button>Sign in</button></form>
     <script>
       customElements.define('login-box', class extends HTMLElement {
         connectedCallback() {
           const root = this.attachShadow({ mode: 'open' });
           root.innerHTML = '<label>Username <input name="user"></label><label>Password <input name="pass" type="password"></label>';
         }
       });
       window.shadowValues = () => [...document.querySelector('login-box').shadowRoot.querySelectorAll('input')].map((i) => i.value);
     </script>`,
  ),
  '/login/focus-thief': page(
    'A page that moves the focus on right-click',
    `<form><label>User <input name="user"></label><label>Comment <input name="comment"></label><button>Go</button></form>
     <script>document.querySelector('[name=user]').addEventListener('contextmenu', () => document.querySelector('[name=comment]').focus());</script>`,
  ),
  '/login/focus-hidden': page(
    'A page that focuses a hidden field on right-click',
    `<form><label>User <input name="user"></label><input name="pass" type="password" style="opacity:0;position:absolute;left:40px;top:40px"><button>Go</button></form>
     <script>document.querySelector('[name=user]').addEventListener('contextmenu', () => document.querySelector('[name=pass]').focus());</script>`,
  ),
  '/login/closed-shadow': page(
    'A login in a closed shadow root',
    `<form><closed-login></closed-login><button>Sign in</button></form>
     <script>customElements.define('closed-login', class extends HTMLElement { connectedCallback() {
       this.attachShadow({ mode: 'closed' }).innerHTML = '<label>Username <input name="user"></label><label>Password <input name="pass" type="password"></label>'; } });</script>`,
  ),
  '/blank': '<!doctype html><html><body style="background:transparent"></body></html>',
});
