/**
 * The pages the form-filling test serves on 127.0.0.1. Each records what it received on submit, read by
 * its own script (`window.received`), so the test checks what the page got, not only the DOM.
 */
const RECORD = `
<script>
  window.received = null;
  document.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    window.received = Object.fromEntries([...form.querySelectorAll('input')].filter((i) => i.name).map((i) => [i.name, i.value]));
  });
</script>`;

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:15px system-ui;margin:40px} label{display:block;margin:8px 0} input{display:block;width:260px;padding:6px}</style>
</head><body><h1>${title}</h1>${body}${RECORD}</body></html>`;

/** The pages by path; `crossOrigin` is where the cross-origin frame comes from (same server, another origin). */
export const pages = (crossOrigin: string): Record<string, string> => ({
  '/plain': page(
    'Plain login',
    `<form><label>User <input name="user"></label><label>Password <input name="pass" type="password"></label><button>Sign in</button></form>`,
  ),
  '/autocomplete': page(
    'Autocomplete',
    `<form><input name="a" autocomplete="username" aria-label="Account"><input name="b" type="password" autocomplete="current-password" aria-label="Secret">
     <input name="c" type="password" autocomplete="new-password" aria-label="New password"><input name="d" autocomplete="one-time-code" aria-label="Code"><button>Go</button></form>`,
  ),
  '/token': page(
    'CI secret settings',
    `<form><label>Username <input name="login"></label><label>API token <input name="apitoken"></label><button>Save</button></form>`,
  ),
  '/single-token': page('Registry login', `<form><label>Personal access token <input name="tok" type="password"></label><button>Log in</button></form>`),
  // A framework-style page: state changes only through input events and the DOM is rendered from state,
  // so a value set without the events a user's typing makes is lost.
  '/framework': `<!doctype html><html><head><meta charset="utf-8"><title>Framework</title></head><body>
<form id="f"><input name="username" placeholder="Username"><input name="password" type="password" placeholder="Password"><button>Go</button></form>
<script>
  const state = { username: '', password: '' };
  const inputs = [...document.querySelectorAll('input')];
  const render = () => inputs.forEach((i) => { if (i.value !== state[i.name]) i.value = state[i.name]; });
  inputs.forEach((i) => i.addEventListener('input', (e) => { state[i.name] = e.target.value; render(); }));
  // Anything else that touches the form re-renders from state, as frameworks do.
  document.addEventListener('focusin', () => setTimeout(render));
  window.received = null;
  document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); render(); window.received = { ...state }; });
</script></body></html>`,
  '/frames': page(
    'Frames',
    `<iframe id="same" src="/plain" width="420" height="260"></iframe><iframe id="cross" src="${crossOrigin}/plain" width="420" height="260"></iframe>`,
  ),
  '/cross-only': page('A login in a frame from another site', `<iframe id="cross" src="${crossOrigin}/plain" width="420" height="260"></iframe>`),
  '/traps': page(
    'Traps',
    `<form>
      <input name="hidden" type="password" style="display:none">
      <div style="opacity:0.01"><label>Password <input name="faded" type="password"></label></div>
      <div style="position:relative"><input name="covered" type="password"><div style="position:absolute;inset:0;background:white"></div></div>
      <input name="offscreen" type="password" style="position:absolute;left:-9999px;top:-9999px">
      <button>Go</button></form>`,
  ),
});
