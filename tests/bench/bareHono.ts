/**
 * The bench's framework baseline: a bare Hono app with Keyfob's ping route and nothing else, on the same
 * Node server adapter (@hono/node-server) as Keyfob. Prints its address, then serves until killed.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/artifactory/api/system/ping', (c) => c.text('OK'));

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
  process.stdout.write(`bare Hono listening on http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
