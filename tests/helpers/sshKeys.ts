/** Key pairs from the real `ssh-keygen`, and the real `ssh` client pointed at Keyfob's SSH server. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  file: string;
  privateText: string;
  publicText: string;
  /** What `ssh-keygen -lf` prints for the public key. */
  keygenLine: string;
}

/** A folder of fresh key pairs; `remove()` deletes it. */
export function keyFolder() {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-sshkeys-'));
  let counter = 0;
  return {
    dir,
    keygen(type: string, bits?: number, comment = `user${counter}@host`, extra: string[] = []): KeyPair {
      const file = join(dir, `key${counter++}`);
      execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', comment, ...extra, '-f', file]);
      const keygenLine = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).trim();
      return { file, privateText: readFileSync(file, 'utf8'), publicText: readFileSync(`${file}.pub`, 'utf8'), keygenLine };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Options that make `ssh` use exactly this key, ask nothing, and keep no host key. */
export function sshOptions(keyFile: string): string[] {
  return [
    '-i',
    keyFile,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
  ];
}

/** Runs the real OpenSSH client; resolves with its exit code and output, whatever the code. */
export function runSsh(port: number, keyFile: string, login: string, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', [...sshOptions(keyFile), '-p', String(port), `${login}@127.0.0.1`, ...command], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 255) : 0, stdout, stderr });
    });
  });
}
