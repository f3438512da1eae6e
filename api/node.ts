/**
 * Keyfob on Node: `npm start`. Reads the environment, boots on the embedded libSQL file by default,
 * serves on HOST:PORT, and on SIGTERM or SIGINT finishes requests in flight before closing the database.
 */
import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config';
import { bootNode } from './node/boot';

const SHUTDOWN_DRAIN_MS = 250;

function fatal(message: string): never {
  process.stderr.write(`keyfob: ${message}\n`);
  process.exit(1);
}

async function main() {
  const config = loadConfig(process.env);
  const keyfob = await bootNode(config);
  if (keyfob.masterKeyFileCreated) console.log(`Created the master key ${keyfob.masterKeyFileCreated}: back it up, sealed secrets need it.`);
  if (keyfob.createdAdmin) {
    const { name, generatedPassword } = keyfob.createdAdmin;
    console.log(`Created the admin user '${name}'.`);
    // Shown this once, as the issue asks; it is nowhere else, and should be changed after first sign-in.
    if (generatedPassword) console.log(`Its generated password (shown only now): ${generatedPassword}`);
  }

  // While draining, every answer closes its connection, so keep-alive clients move off before we stop.
  let draining = false;
  const fetch: typeof keyfob.app.fetch = async (request, ...rest) => {
    const response = await keyfob.app.fetch(request, ...rest);
    if (draining) response.headers.set('connection', 'close');
    return response;
  };

  const server = serve({ fetch, hostname: config.host, port: config.port }, (info) => {
    console.log(`Keyfob listening on http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`);
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') fatal(`port ${config.port} on ${config.host} is in use: stop the other process or set PORT`);
    if (err.code === 'EACCES') fatal(`not allowed to listen on ${config.host}:${config.port}: choose a PORT above 1023`);
    if (err.code === 'EADDRNOTAVAIL') fatal(`HOST ${config.host} is not an address of this machine`);
    fatal(`cannot listen on ${config.host}:${config.port} (${err.code})`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    draining = true;
    console.log(`${signal}: finishing requests in flight, then stopping`);
    // Node's close() drops connections whose request it has not read yet (they look idle), so first
    // give requests already sent a moment to be read; then stop accepting and wait for those running.
    setTimeout(() => {
      server.close(async () => {
        await keyfob.close();
        console.log('Keyfob stopped');
        process.exit(0);
      });
      (server as import('node:http').Server).closeIdleConnections?.();
    }, SHUTDOWN_DRAIN_MS);
    setTimeout(() => fatal('requests still running after 10 s: stopped anyway'), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) fatal(err.message);
  fatal(`could not start: ${(err as Error).name} ${(err as { code?: string }).code ?? ''}`.trim());
});
