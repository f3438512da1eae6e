/**
 * Start-up shared by the entries of runtimes with a file system (Node, Bun, Deno): read the environment,
 * boot, announce, serve through the runtime's own server, and stop cleanly on SIGTERM or SIGINT.
 * A bad configuration ends the process with one line saying what to fix.
 */
import { ConfigError, loadConfig, type Config } from '../config';
import { bootNode, type BootOptions, type BootedKeyfob } from './boot';

/** What an entry gives: its runtime's way to serve the app, and to stop serving. */
export interface RuntimeServer {
  /** Starts serving; resolves with the address, rejects with a ConfigError for a port in use and the like. */
  listen(keyfob: BootedKeyfob, config: Config): Promise<{ url: string; stop(): Promise<void> }>;
  /** Started after the API listens (Node's SSH server for Git LFS); stopped before it. */
  alongside?(keyfob: BootedKeyfob, config: Config, apiUrl: string): Promise<{ stop(): Promise<void> } | null>;
  bootOptions?: BootOptions;
}

export function fatal(message: string): never {
  process.stderr.write(`keyfob: ${message}\n`);
  process.exit(1);
}

/** The one line for a listen failure, whatever the runtime calls its error. */
export function listenError(config: Config, code: string | undefined): ConfigError {
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE' || code === 'AddrInUse')
    return new ConfigError(`port ${config.port} on ${config.host} is in use: stop the other process or set PORT`);
  if (code === 'EACCES' || code === 'PermissionDenied') return new ConfigError(`not allowed to listen on ${where}: choose a PORT above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'AddrNotAvailable') return new ConfigError(`HOST ${config.host} is not an address of this machine`);
  return new ConfigError(`cannot listen on ${where} (${code ?? 'unknown error'})`);
}

export async function runKeyfob(server: RuntimeServer): Promise<void> {
  try {
    const config = loadConfig(process.env);
    const keyfob = await bootNode(config, server.bootOptions);
    if (keyfob.masterKeyFileCreated) console.log(`Created the master key ${keyfob.masterKeyFileCreated}: back it up, sealed secrets need it.`);
    if (keyfob.createdAdmin) {
      const { name, generatedPassword } = keyfob.createdAdmin;
      console.log(`Created the admin user '${name}'.`);
      // Shown this once, on the operator's terminal; it is kept nowhere, and should be changed after first sign-in.
      if (generatedPassword) console.log(`Its generated password (shown only now): ${generatedPassword}`);
    }
    const { url, stop } = await server.listen(keyfob, config);
    keyfob.listening(url);
    console.log(`Keyfob listening on ${url}`);
    const companion = (await server.alongside?.(keyfob, config, url)) ?? null;

    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`${signal}: finishing requests in flight, then stopping`);
      setTimeout(() => fatal('requests still running after 10 s: stopped anyway'), 10_000).unref();
      void Promise.all([stop(), companion?.stop()])
        .then(() => keyfob.close())
        .then(() => {
          console.log('Keyfob stopped');
          process.exit(0);
        });
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  } catch (err) {
    if (err instanceof ConfigError) fatal(err.message);
    fatal(`could not start: ${(err as Error).name} ${(err as { code?: string }).code ?? ''}`.trim());
  }
}

export function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
