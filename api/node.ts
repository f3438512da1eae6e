/** Keyfob on Node (`npm start`): the embedded libSQL file by default, served by @hono/node-server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { hostForUrl, listenError, runKeyfob } from './node/run';

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
});
