import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// The extension's sources live in extension/ (entrypoints/ for WXT, lib/ for logic);
// auto-imports are off so every name says where it comes from.
export default defineConfig({
  srcDir: 'extension',
  imports: false,
  manifest: {
    name: 'Keyfob',
    description: 'Your Keyfob API key and encrypted password, one click away.',
    permissions: ['storage'],
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'",
    },
  },
  vite: () => ({ plugins: [preact()] }),
});
