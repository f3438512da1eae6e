/** SSH public keys in the profile, over HTTP: added, listed with fingerprints, refused with reasons, removed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { keyFolder } from '../helpers/sshKeys';

const KEYS = '/api/v1/profile/sshKeys';
const POLICY = '/api/v1/settings/sshKeyPolicy';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const alice = { basic: ['alice', 'alice-Password-1'] as [string, string] };
const bob = { basic: ['bob', 'bob-Password-1'] as [string, string] };

describe('SSH public keys in the profile', () => {
  let k: RunningKeyfob;
  const keys = keyFolder();
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('alice', 'alice-Password-1');
    await k.createUser('bob', 'bob-Password-1');
  });
  afterAll(async () => {
    keys.remove();
    await k.close();
  });

  it('adds keys of every accepted type, named, with the fingerprint ssh-keygen prints', async () => {
    for (const [type, bits] of [
      ['ed25519', undefined],
      ['rsa', 3072],
      ['ecdsa', 384],
    ] as const) {
      const pair = keys.keygen(type, bits);
      const reply = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: pair.publicText, name: `${type} key` } });
      expect(reply.status).toBe(201);
      const [size, fingerprint] = pair.keygenLine.split(' ');
      expect(reply.json).toMatchObject({ name: `${type} key`, bits: Number(size), fingerprint, lastUsedAt: null });
    }
    const listed = await k.call(KEYS, { auth: alice });
    expect(listed.json.keys.map((key: { type: string }) => key.type)).toEqual(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp384']);
    const profile = await k.call('/api/v1/profile', { auth: alice });
    expect(profile.json.sshKeys).toHaveLength(3);
  });

  it('names a key by its comment when no name is given', async () => {
    const pair = keys.keygen('ed25519', undefined, 'alice@workstation');
    const reply = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: pair.publicText } });
    expect(reply.json.name).toBe('alice@workstation');
  });

  it('refuses a key another user registered, and says so without naming them', async () => {
    const pair = keys.keygen('ed25519');
    expect((await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: pair.publicText } })).status).toBe(201);
    const again = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: pair.publicText } });
    expect(again.status).toBe(409);
    expect(again.json.errors[0].message).toMatch(/already registered this key/);
    const byBob = await k.call(KEYS, { method: 'POST', auth: bob, json: { publicKey: pair.publicText } });
    expect(byBob.status).toBe(409);
    expect(byBob.json.errors[0].message).toMatch(/another user/);
    expect(byBob.text).not.toContain('alice');
  });

  it('refuses RSA under 2048 bits, and DSA unless an admin allows it', async () => {
    const small = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: keys.keygen('rsa', 1024).publicText } });
    expect(small.status).toBe(400);
    expect(small.json.errors[0].message).toMatch(/1024 bits; at least 2048/);

    const dsa = keys.keygen('dsa', 1024).publicText;
    const refused = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: dsa } });
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].message).toMatch(/DSA keys are not accepted/);

    expect((await k.call(POLICY, { auth: admin })).json).toEqual({ allowDsaKeys: false });
    expect((await k.call(POLICY, { method: 'PUT', auth: alice, json: { allowDsaKeys: true } })).status).toBe(403);
    expect((await k.call(POLICY, { method: 'PUT', auth: admin, json: { allowDsaKeys: true } })).status).toBe(200);
    const accepted = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: dsa } });
    expect(accepted.status).toBe(201);
    expect(accepted.json).toMatchObject({ type: 'ssh-dss', bits: 1024 });
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { allowDsaKeys: false } });
  });

  it('refuses a pasted private key plainly, and keeps nothing of it', async () => {
    const pair = keys.keygen('ed25519');
    const reply = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: pair.privateText } });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].message).toMatch(/That is a private key/);
    const secretLine = pair.privateText.split('\n')[2]!;
    expect(reply.text).not.toContain(secretLine);
    const rows = await k.sql('select blob from ssh_keys');
    expect(JSON.stringify(rows)).not.toContain(secretLine.slice(0, 20));
  });

  it('refuses garbage, truncated keys and bad input with 400, never 500', async () => {
    const good = keys.keygen('ed25519').publicText.trim();
    for (const publicKey of ['', 'hello', 'ssh-ed25519 AAAA', good.slice(0, 40), `ssh-rsa ${good.split(' ')[1]}`, 'x'.repeat(20_000)]) {
      const reply = await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey } });
      expect(reply.status, publicKey.slice(0, 30)).toBe(400);
      expect(reply.json.errors[0].message.length).toBeLessThan(300);
    }
    expect((await k.call(KEYS, { method: 'POST', auth: alice, json: { name: 'x' } })).status).toBe(400);
    expect((await k.call(`${KEYS}/notanumber`, { method: 'DELETE', auth: alice })).status).toBe(400);
  });

  it("removes only the caller's own keys", async () => {
    const pair = keys.keygen('ed25519');
    const added = await k.call(KEYS, { method: 'POST', auth: bob, json: { publicKey: pair.publicText } });
    expect((await k.call(`${KEYS}/${added.json.id}`, { method: 'DELETE', auth: alice })).status).toBe(404);
    const removed = await k.call(`${KEYS}/${added.json.id}`, { method: 'DELETE', auth: bob });
    expect(removed.status).toBe(200);
    expect(removed.json.keys).toEqual([]);
    // Once removed, the key is free for anyone to register.
    expect((await k.call(KEYS, { method: 'POST', auth: alice, json: { publicKey: pair.publicText } })).status).toBe(201);
  });

  it('needs an unlocked session to add or remove, but not to list', async () => {
    const session = await k.call('/api/v1/session', { method: 'POST', json: { username: 'bob', password: 'bob-Password-1' } });
    const bearer = { bearer: session.json.token };
    await k.call('/api/v1/session/lock', { method: 'POST', auth: bearer });
    expect((await k.call(KEYS, { auth: bearer })).status).toBe(200);
    const add = await k.call(KEYS, { method: 'POST', auth: bearer, json: { publicKey: keys.keygen('ed25519').publicText } });
    expect(add.status).toBe(403);
    expect(add.json.errors[0].code).toBe('UNLOCK_REQUIRED');
  });
});
