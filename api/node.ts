/** Keyfob on Node (`npm start`): the embedded libSQL file by default, served by @hono/node-server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ConfigError } from './config';
import { hostForUrl, listenError, runKeyfob } from './node/run';
import { loadOrCreateHostKey, startSshServer } from './node/sshServer';

// Node's close() drops connections whose request it has not read yet (they look idle), so on a signal
// Keyfob first keeps serving this long, closing each connection after its answer.
const SHUTDOWN_DRAIN_MS = 250;

await runKeyfob({
  listen: (keyfob, config) =>
    new Promise((resolve, reject) => {
      let draining = false;
      const server = serve({
        fetch: async (request, ...rest) => {
          const response = await keyfob.app.fetch(request, ...rest);
          if (draining) response.headers.set('connection', 'close');
          return response;
        },
        hostname: config.host,
        port: config.port,
      }) as Server;
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
      const ssh = await startSshServer(keyfob.deps, { host: config.sshHost, port: config.sshPort, hostKey: hostKey.privateKey, baseUrl: config.publicUrl ?? apiUrl });
      console.log(`Keyfob SSH for Git LFS listening on ${hostForUrl(ssh.address.host)}:${ssh.address.port}`);
      return ssh;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new ConfigError(`SSH_PORT ${config.sshPort} is in use: stop the other process, choose another SSH_PORT, or set SSH_PORT=0 to turn SSH off`);
      throw new ConfigError(`cannot listen for SSH on ${config.sshHost}:${config.sshPort} (${code ?? 'unknown error'}); SSH_PORT=0 turns SSH off`);
    }
  },
});
