/** Keyfob on Bun (`npm run start:bun`): the same boot as Node, served by Bun.serve. */
import { getConnInfo } from 'hono/bun';
import { hostForUrl, listenError, runKeyfob } from './node/run';

declare const Bun: {
  serve(options: { fetch: (request: Request, server: unknown) => Response | Promise<Response>; hostname: string; port: number }): {
    hostname: string;
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

await runKeyfob({
  bootOptions: { clientAddress: (c) => getConnInfo(c).remote.address ?? null, revision: 'keyfob-bun' },
  async listen(keyfob, config) {
    try {
      const server = Bun.serve({ fetch: (request, server) => keyfob.app.fetch(request, server), hostname: config.host, port: config.port });
      // stop() without `true` lets requests in flight finish.
      return { url: `http://${hostForUrl(server.hostname)}:${server.port}`, stop: () => server.stop() };
    } catch (err) {
      throw listenError(config, (err as { code?: string }).code);
    }
  },
});
