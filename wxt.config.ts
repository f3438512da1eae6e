import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// KEYFOB_E2E=1 builds the variant the end-to-end tests load: host permission for 127.0.0.1 granted at
// install (a test cannot click Chrome's permission prompt) and a separate output folder.
const e2e = process.env.KEYFOB_E2E === '1';

// The extension's sources live in extension/ (entrypoints/ for WXT, lib/ for logic);
// auto-imports are off so every name says where it comes from.
export default defineConfig({
  srcDir: 'extension',
  // Static files (the icons drawn by `npm run icons`) live with the extension, not at the top level.
  publicDir: 'extension/public',
  outDir: e2e ? '.output/e2e' : '.output',
  imports: false,
  manifestVersion: 3,
  manifest: ({ browser }) => ({
    name: 'Keyfob',
    description: 'Your Keyfob API key and encrypted password, one click away.',
    // activeTab and scripting: the fill script is injected on the user's gesture only, never by a content
    // script on every page. contextMenus: "Fill username / API key / encrypted password" on a field.
    permissions: [
      'storage',
      'alarms',
      'clipboardWrite',
      'clipboardRead',
      'activeTab',
      'scripting',
      'contextMenus',
      ...(browser === 'firefox' ? [] : ['offscreen']),
    ],
    // Nothing broad at install: the popup asks for the one origin of the user's Keyfob server.
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    ...(e2e ? { host_permissions: ['http://127.0.0.1/*'] } : {}),
    // Firefox will not let a test navigate to moz-extension:// itself; in the end-to-end build only, a page
    // the test serves on 127.0.0.1 may open the popup.
    ...(e2e && browser === 'firefox' ? { web_accessible_resources: [{ resources: ['popup.html', 'options.html'], matches: ['http://127.0.0.1/*'] }] } : {}),
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    },
    commands: {
      _execute_action: { suggested_key: { default: 'Alt+Shift+K' }, description: 'Open Keyfob' },
      // Not Ctrl+Shift+L (Bitwarden's autofill), Ctrl+Shift+U/P (KeePassXC), Ctrl+\\ (1Password) nor Ctrl+Shift+X:
      // a browser gives a taken shortcut to one extension only, silently. Alt+Shift+K and F are no major manager's.
      'fill-credentials': { suggested_key: { default: 'Alt+Shift+F' }, description: 'Fill your Keyfob username and secret into this page' },
    },
    action: { default_title: 'Keyfob' },
    ...(browser === 'firefox' ? { browser_specific_settings: { gecko: { id: 'keyfob@keyfob.dev', strict_min_version: '128.0' } } } : {}),
  }),
  // The strength meter's dictionaries are one large chunk on purpose, loaded only when a password form opens.
  vite: () => ({
    plugins: [preact()],
    build: { chunkSizeWarningLimit: 2048, sourcemap: process.env.KEYFOB_SOURCEMAP === '1' },
    define: { 'import.meta.env.KEYFOB_E2E': JSON.stringify(e2e) },
  }),
});
