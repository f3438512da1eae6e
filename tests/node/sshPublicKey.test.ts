/** The public-key parser against keys made by the real `ssh-keygen`, and fingerprints as it prints them. */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSshPublicKey } from '../../api/crypto/sshPublicKey';
import { keyFolder } from '../helpers/sshKeys';

const keys = keyFolder();
afterAll(keys.remove);
const keygen = keys.keygen;

const KINDS: [string, number | undefined, string][] = [
  ['rsa', 2048, 'ssh-rsa'],
  ['rsa', 3072, 'ssh-rsa'],
  ['rsa', 4096, 'ssh-rsa'],
  ['rsa', 1024, 'ssh-rsa'],
  ['dsa', 1024, 'ssh-dss'],
  ['ed25519', undefined, 'ssh-ed25519'],
  ['ecdsa', 256, 'ecdsa-sha2-nistp256'],
  ['ecdsa', 384, 'ecdsa-sha2-nistp384'],
  ['ecdsa', 521, 'ecdsa-sha2-nistp521'],
];

describe('SSH public keys made by ssh-keygen', () => {
  it.each(KINDS)('reads %s %s with the fingerprint and size ssh-keygen prints', (type, bits, prefix) => {
    const key = keygen(type, bits);
    const parsed = parseSshPublicKey(key.publicText);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.type).toBe(prefix);
    expect(parsed.value.keygenLine).toBe(key.keygenLine);
    expect(parsed.value.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('takes options before the key and a comment with spaces after it', () => {
    const key = keygen('ed25519', undefined, 'laptop of dev');
    const line = `command="git-lfs-authenticate x download",no-pty,from="10.0.0.1 ,10.0.0.2" ${key.publicText}`;
    const parsed = parseSshPublicKey(line);
    expect(parsed.ok && parsed.value.keygenLine).toBe(key.keygenLine);
    expect(parsed.ok && parsed.value.comment).toBe('laptop of dev');
  });

  it('refuses a private key pasted by mistake, without repeating it', () => {
    // OpenSSH's own format, and the PEM form older tools write (`-----BEGIN RSA PRIVATE KEY-----`).
    for (const key of [keygen('ed25519'), keygen('rsa', 2048, 'pem', ['-m', 'PEM'])]) {
      const parsed = parseSshPublicKey(key.privateText);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.message).toMatch(/private key/);
      expect(parsed.message).not.toContain(key.privateText.split('\n')[1]!.slice(0, 20));
    }
  });

  it('explains RFC 4716 keys and how to convert them', () => {
    const rfc4716 = execFileSync('ssh-keygen', ['-e', '-f', `${keygen('ed25519').file}.pub`], { encoding: 'utf8' });
    const parsed = parseSshPublicKey(rfc4716);
    expect(!parsed.ok && parsed.message).toMatch(/ssh-keygen -i/);
  });

  describe('a corpus of broken keys', () => {
    const good = () => keygen('ed25519').publicText.trim();
    const rsa = () => keygen('rsa', 2048).publicText.trim();
    const cases: [string, () => string, RegExp][] = [
      ['empty', () => '', /not an OpenSSH public key/],
      ['type only', () => 'ssh-ed25519', /no data/],
      ['not base64', () => 'ssh-ed25519 !!!notbase64!!! me', /base64/],
      [
        'truncated',
        () =>
          good()
            .split(' ')
            .map((w, i) => (i === 1 ? w.slice(0, 30) : w))
            .join(' '),
        /truncated|base64|valid/,
      ],
      [
        'truncated RSA',
        () =>
          rsa()
            .split(' ')
            .map((w, i) => (i === 1 ? w.slice(0, 200) : w))
            .join(' '),
        /truncated|base64/,
      ],
      ['prefix does not match the data', () => good().replace(/^ssh-ed25519/, 'ssh-rsa'), /holds a ssh-ed25519 key/],
      ['an unsupported type', () => 'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t', /not accepted/],
      ['two keys', () => `${good()}\n${good()}`, /one key/],
      ['random words', () => 'hello world', /not an OpenSSH public key/],
      [
        'trailing bytes',
        () => {
          const [t, b64, c] = good().split(' ');
          const bytes = Buffer.concat([Buffer.from(b64!, 'base64'), Buffer.from([0, 0, 0, 0])]);
          return `${t} ${bytes.toString('base64')} ${c}`;
        },
        /bytes after the key/,
      ],
    ];
    it.each(cases)('%s', (_name, make, message) => {
      const parsed = parseSshPublicKey(make());
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.message).toMatch(message);
    });
  });
});
