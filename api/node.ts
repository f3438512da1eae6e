/** Keyfob on Node (`npm start`): the embedded libSQL file by default, served by @hono/node-server. */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { ConfigError } from './config';
import { SECURITY_HEADERS } from './http/errors';
import { hostForUrl, listenError, runKeyfob } from './node/run';
import { loadOrCreateHostKey, startSshServer } from './node/sshServer';

// Node's close() drops connections whose request it has not read yet (they look idle), so on a signal
// Keyfob first keeps serving this long, closing each connection after its answer.
const SHUTDOWN_DRAIN_MS = 250;

// `.env` in the working directory (or the file KEYFOB_ENV_FILE names; empty: none), as .env.example
// describes; a variable already in the environment wins over the file.
const envFile = process.env.KEYFOB_ENV_FILE ?? '.env';
if (envFile && existsSync(envFile)) process.loadEnvFile(envFile);

await runKeyfob({
  // Set on the socket's response before the app answers: Node merges them under the answer's own headers,
  // and the app's responses stay header-free Responses that the adapter writes without a Headers object.
  // The same for a header of one answer (the credential's coming expiry): on its own request's socket response.
  bootOptions: {
    setHeaderAtServer: (c, name, value) => (c.env as HttpBindings).outgoing.setHeader(name, value),
  },
  listen: (keyfob, config) =>
    new Promise((resolve, reject) => {
      let draining = false;
      const listener = getRequestListener(async (request, env) => {
        const response = await keyfob.app.fetch(request, env);
        if (draining) response.headers.set('connection', 'close');
        return response;
      });
      const server = createServer((incoming, outgoing) => {
        for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
        void listener(incoming, outgoing);
      });
      server.listen(config.port, config.host);
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(config, err.code)));
      server.once('listening', () => {
        const { address, port } = server.address() as AddressInfo;
        resolve({
          url: `http://${hostForUrl(address)}:${port}`,
          stop: () =>
            new Promise<void>((done) => {
              draining = true;
              setTimeout(() => {
                server.close(() => done());
                server.closeIdleConnections();
              }, SHUTDOWN_DRAIN_MS);
            }),
        });
      });
    }),
  async alongside(keyfob, config, apiUrl) {
    if (config.sshPort === 0) return null;
    const hostKey = loadOrCreateHostKey(config.dataDir);
    if (hostKey.created) console.log(`Created the SSH host key ${config.dataDir}/ssh_host_ed25519_key`);
    try {
      const ssh = await startSshServer(keyfob.deps, {
        host: config.sshHost,
        port: config.sshPort,
        hostKey: hostKey.privateKey,
        baseUrl: config.publicUrl ?? apiUrl,
      });
      console.log(`Keyfob SSH for Git LFS listening on ${hostForUrl(ssh.address.host)}:${ssh.address.port}`);
      return ssh;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new ConfigError(`SSH_PORT ${config.sshPort} is in use: stop the other process, choose another SSH_PORT, or set SSH_PORT=0 to turn SSH off`);
      throw new ConfigError(`cannot listen for SSH on ${config.sshHost}:${config.sshPort} (${code ?? 'unknown error'}); SSH_PORT=0 turns SSH off`);
    }
  },
});
