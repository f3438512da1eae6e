/**
 * The SSH server for Git LFS (Node only, the `ssh2` package): public-key authentication against the
 * keys users registered in their profiles, and one command, `git-lfs-authenticate`. No shell, no
 * port forwarding, no subsystems: everything else gets a plain refusal.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection, PublicKeyAuthContext, ServerChannel } from 'ssh2';
import type { AppDeps } from '../deps';
import { authenticateGitLfs, findSshKeyOwner } from '../domain/sshKeys';
import type { SshKeyRecord, UserRecord } from '../domain/records';
import { HOST_KEY_FILE, PRIVATE_FILE_MODE, privateDir, privateFile } from './fileModes';

const { Server, utils } = ssh2;

/** The server's host key: made once into the data folder (0600), then the same at every start. */
export function loadOrCreateHostKey(dataDir: string): { privateKey: string; created: boolean } {
  const path = join(dataDir, HOST_KEY_FILE);
  if (existsSync(path)) {
    privateFile(path);
    return { privateKey: readFileSync(path, 'utf8'), created: false };
  }
  // With the master key and the database elsewhere, this may be the first file in the data folder.
  privateDir(dataDir);
  const pair = utils.generateKeyPairSync('ed25519', { comment: 'keyfob host key' });
  writeFileSync(path, pair.private, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  writeFileSync(`${path}.pub`, `${pair.public}\n`, { mode: 0o644 });
  return { privateKey: pair.private, created: true };
}

export interface SshServerOptions {
  host: string;
  port: number;
  hostKey: string;
  /** The API's base URL, for the Git LFS endpoint handed out. */
  baseUrl: string;
}

export interface RunningSshServer {
  address: { host: string; port: number };
  stop(): Promise<void>;
}

function refuse(channel: ServerChannel, message: string, code = 1) {
  channel.stderr.write(`keyfob: ${message}\r\n`);
  channel.exit(code);
  channel.end();
}

async function verifyPublicKey(deps: AppDeps, ctx: PublicKeyAuthContext): Promise<{ user: UserRecord; key: SshKeyRecord } | null> {
  const owner = await findSshKeyOwner(deps, ctx.username, ctx.key.data);
  if (!owner) return null;
  // Without a signature the client only asks whether this key would do; with one, it must prove it holds it.
  if (!ctx.signature || !ctx.blob) return owner;
  const publicKey = utils.parseKey(`${owner.key.type} ${owner.key.blob}`);
  if (publicKey instanceof Error) return null;
  return publicKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? owner : null;
}

function handleConnection(deps: AppDeps, options: SshServerOptions, client: Connection, clientAddress: string | null, software: string | null) {
  let owner: { user: UserRecord; key: SshKeyRecord } | null = null;
  // The client's software from its SSH banner ("OpenSSH_9.2p1 Debian-2"), the agent of SSH's usage lines.
  const ctxOf = () => ({ clientAddress, userAgent: software ? `ssh/${software}` : 'ssh' });

  client.on('authentication', (ctx) => {
    if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
    verifyPublicKey(deps, ctx).then(
      (found) => {
        if (!found) return ctx.reject(['publickey']);
        if (ctx.signature) owner = found;
        ctx.accept();
      },
      () => ctx.reject(['publickey']),
    );
  });

  client.on('ready', () => {
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      session.on('pty', (_accept, reject) => reject?.());
      session.on('env', (_accept, reject) => reject?.());
      session.on('subsystem', (_accept, reject) => reject?.());
      session.on('shell', (accept) => {
        const channel = accept();
        refuse(channel, 'there is no shell here. Keyfob answers only git-lfs-authenticate <repository> <upload|download>');
      });
      session.on('exec', (accept, _reject, info) => {
        const channel = accept();
        if (!owner) return refuse(channel, 'not authenticated');
        const who = owner;
        authenticateGitLfs(deps, ctxOf(), who, info.command, options.baseUrl).then(
          (result) => {
            if (!result.ok) return refuse(channel, result.message);
            channel.write(`${JSON.stringify(result.value)}\n`);
            channel.exit(0);
            channel.end();
          },
          () => refuse(channel, 'the request could not be completed: try again'),
        );
      });
    });
  });
  client.on('tcpip', (_accept, reject) => reject());
  client.on('request', (_accept, reject) => reject?.());
  // A client that drops mid-handshake is not Keyfob's error; nothing to log (and nothing secret to log).
  client.on('error', () => {});
}

export function startSshServer(deps: AppDeps, options: SshServerOptions): Promise<RunningSshServer> {
  const server = new Server({ hostKeys: [options.hostKey], ident: `Keyfob_${deps.version}` }, (client, info) =>
    handleConnection(deps, options, client, info.ip ?? null, info.header?.versions?.software ?? null),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as { address: string; port: number };
      resolve({
        address: { host: address.address, port: address.port },
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
