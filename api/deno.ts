/** Keyfob on Deno (`npm run start:deno`): the same boot as Node, served by Deno.serve. */
import { getConnInfo } from 'hono/deno';
import { hostForUrl, listenError, runKeyfob } from './node/run';

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): { addr: { hostname: string; port: number }; shutdown(): Promise<void> };
};

await runKeyfob({
  bootOptions: { clientAddress: (c) => getConnInfo(c).remote.address ?? null, revision: 'keyfob-deno' },
  async listen(keyfob, config) {
    try {
      const server = Deno.serve({ hostname: config.host, port: config.port, onListen: () => {} }, (request, info) => keyfob.app.fetch(request, info));
      // shutdown() stops accepting and resolves once requests in flight are answered.
      return { url: `http://${hostForUrl(server.addr.hostname)}:${server.addr.port}`, stop: () => server.shutdown() };
    } catch (err) {
      throw listenError(config, (err as Error).name);
    }
  },
});
