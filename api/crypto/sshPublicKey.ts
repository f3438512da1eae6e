/**
 * OpenSSH public keys in their one-line form (`[options] type base64 [comment]`), parsed far enough to
 * know what they are: the algorithm inside the blob (which must match the prefix), the size in bits, and
 * the fingerprint exactly as `ssh-keygen -lf` prints it. Pure and web-standard: the edge runs it too.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { decodeBase64, encodeBase64, encodeBase64NoPadding } from '@oslojs/encoding';
import { fail, ok, type Result } from '../domain/result';

export const SSH_KEY_TYPES = ['ssh-rsa', 'ssh-dss', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** The family `ssh-keygen -l` names in brackets. */
const FAMILY: Record<SshKeyType, string> = {
  'ssh-rsa': 'RSA',
  'ssh-dss': 'DSA',
  'ssh-ed25519': 'ED25519',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
};

const CURVES: Record<string, { name: string; bits: number; pointBytes: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', bits: 256, pointBytes: 65 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', bits: 384, pointBytes: 97 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', bits: 521, pointBytes: 133 },
};

export const MIN_RSA_BITS = 2048;

export interface SshPublicKey {
  type: SshKeyType;
  /** The key blob, base64 with padding: the canonical form, whatever options or comment came with it. */
  blob: string;
  bits: number;
  /** `SHA256:` and 43 characters of unpadded base64, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  comment: string;
  /** `256 SHA256:… comment (ED25519)`: the whole line `ssh-keygen -lf` prints. */
  keygenLine: string;
}

const isKeyType = (word: string): word is SshKeyType => (SSH_KEY_TYPES as readonly string[]).includes(word);

/** Reads the SSH wire format's length-prefixed strings; every read is bounds-checked. */
class WireReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  string(): Uint8Array | null {
    if (this.offset + 4 > this.bytes.length) return null;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 4);
    const length = view.getUint32(0);
    this.offset += 4;
    if (this.offset + length > this.bytes.length) return null;
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  text(): string | null {
    const value = this.string();
    return value === null ? null : new TextDecoder().decode(value);
  }
  get done() {
    return this.offset === this.bytes.length;
  }
}

/** Bits in an SSH mpint (big-endian, two's complement, positive numbers may carry a leading zero byte). */
function mpintBits(value: Uint8Array): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i] as number));
}

/** Splits the line into words, keeping double-quoted option values (which may hold spaces) whole. */
function words(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ' ' || ch === '\t')) {
      if (current) out.push(current);
      current = '';
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

/** Says so plainly when someone pasted their private key; the text itself is never repeated or kept. */
export function looksLikePrivateKey(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File-\d/.test(text);
}

const PRIVATE_KEY_MESSAGE =
  'That is a private key: never share it. Paste the public key instead (the .pub file, or `ssh-keygen -y -f KEYFILE`), and consider that key exposed if you pasted it anywhere else';

function parseBlob(type: SshKeyType, bytes: Uint8Array): Result<number> {
  const reader = new WireReader(bytes);
  const inner = reader.text();
  if (inner === null) return fail('BAD_REQUEST', 'The key data is truncated: copy the whole line of the .pub file');
  if (inner !== type) return fail('BAD_REQUEST', `The key says ${type} but its data holds a ${inner.slice(0, 40)} key`);
  let bits: number;
  if (type === 'ssh-rsa') {
    const e = reader.string();
    const n = reader.string();
    if (!e || !n) return fail('BAD_REQUEST', 'The key data is truncated: copy the whole line of the .pub file');
    bits = mpintBits(n);
  } else if (type === 'ssh-dss') {
    const parts = [reader.string(), reader.string(), reader.string(), reader.string()];
    if (parts.some((p) => p === null)) return fail('BAD_REQUEST', 'The key data is truncated: copy the whole line of the .pub file');
    bits = mpintBits(parts[0] as Uint8Array);
  } else if (type === 'ssh-ed25519') {
    const key = reader.string();
    if (!key) return fail('BAD_REQUEST', 'The key data is truncated: copy the whole line of the .pub file');
    if (key.length !== 32) return fail('BAD_REQUEST', 'The key data is not a valid ed25519 key');
    bits = 256;
  } else {
    const curve = CURVES[type] as { name: string; bits: number; pointBytes: number };
    const name = reader.text();
    const point = reader.string();
    if (name === null || point === null) return fail('BAD_REQUEST', 'The key data is truncated: copy the whole line of the .pub file');
    if (name !== curve.name) return fail('BAD_REQUEST', `The key says ${type} but its data holds a ${name.slice(0, 20)} curve`);
    if (point.length !== curve.pointBytes || point[0] !== 4) return fail('BAD_REQUEST', 'The key data is not a valid ECDSA point');
    bits = curve.bits;
  }
  if (!reader.done) return fail('BAD_REQUEST', 'The key data has bytes after the key: copy the line of the .pub file as it is');
  if (bits === 0) return fail('BAD_REQUEST', 'The key data is not a valid key');
  return ok(bits);
}

/** Parses one OpenSSH public key line. Refusals say why and what to do; none repeats the input. */
export function parseSshPublicKey(input: string): Result<SshPublicKey> {
  if (looksLikePrivateKey(input)) return fail('BAD_REQUEST', PRIVATE_KEY_MESSAGE);
  const line = input.trim();
  if (line.includes('\n')) {
    if (line.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) {
      return fail('BAD_REQUEST', 'That key is in the SSH2 (RFC 4716) format: convert it with `ssh-keygen -i -f KEYFILE` and paste the one line it prints');
    }
    return fail('BAD_REQUEST', 'Paste one key: a single line as in the .pub file');
  }
  const parts = words(line);
  const at = parts.findIndex(isKeyType);
  if (at === -1) {
    const unknown = parts.find((w) => /^(sk-|ssh-|ecdsa-)/.test(w));
    return fail(
      'BAD_REQUEST',
      unknown
        ? `Keys of type ${unknown.slice(0, 40)} are not accepted. Use one of: ${SSH_KEY_TYPES.join(', ')}`
        : `That is not an OpenSSH public key: it should start with one of ${SSH_KEY_TYPES.join(', ')}`,
    );
  }
  const type = parts[at] as SshKeyType;
  const encoded = parts[at + 1];
  if (!encoded) return fail('BAD_REQUEST', 'The key has no data after its type: copy the whole line of the .pub file');
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(encoded);
  } catch {
    return fail('BAD_REQUEST', 'The key data is not valid base64: copy the whole line of the .pub file');
  }
  const bits = parseBlob(type, bytes);
  if (!bits.ok) return bits;
  const comment = parts.slice(at + 2).join(' ');
  const fingerprint = `SHA256:${encodeBase64NoPadding(sha256(bytes))}`;
  return ok({
    type,
    blob: encodeBase64(bytes),
    bits: bits.value,
    fingerprint,
    comment,
    keygenLine: `${bits.value} ${fingerprint} ${comment || 'no comment'} (${FAMILY[type]})`,
  });
}
