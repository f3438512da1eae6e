/** Bintray credentials: sealed at rest, masked, revealed after unlock, and tested against a local Bintray. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const BINTRAY = '/api/v1/profile/bintray';
const alice = { basic: ['alice', 'alice-Password-1'] as [string, string] };
const GOOD = { username: 'alice-bt', apiKey: '0123456789abcdef0123456789abcdef01234567' };

/** A Bintray that knows one user, on 127.0.0.1; `hang` makes it never answer. */
async function startFakeBintray() {
  const state = { hang: false, requests: [] as string[] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    if (state.hang) return; // never answers
    const expected = `Basic ${Buffer.from(`${GOOD.username}:${GOOD.apiKey}`).toString('base64')}`;
    if (req.url === `/users/${GOOD.username}` && req.headers.authorization === expected) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: GOOD.username }));
    } else {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'This resource requires authentication' }));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Bintray credentials', () => {
  let k: RunningKeyfob;
  let bintray: Awaited<ReturnType<typeof startFakeBintray>>;
  beforeAll(async () => {
    bintray = await startFakeBintray();
    k = await startKeyfob({ BINTRAY_API_URL: bintray.url, BINTRAY_TIMEOUT_MS: '1000' });
    await k.createUser('alice', 'alice-Password-1');
  });
  afterAll(async () => {
    await k.close();
    await bintray.close();
  });

  it('has none at first', async () => {
    expect((await k.call(BINTRAY, { auth: alice })).json).toEqual({ bintray: null });
  });

  it('saves them with the key sealed, shows the key masked, and reveals it', async () => {
    const saved = await k.call(BINTRAY, { method: 'PUT', auth: alice, json: GOOD });
    expect(saved.status).toBe(200);
    expect(saved.json.bintray).toMatchObject({ username: GOOD.username, apiKeyMasked: expect.stringMatching(/^0123•+4567$/) });
    expect(saved.text).not.toContain(GOOD.apiKey);
    expect((await k.call('/api/v1/profile', { auth: alice })).json.bintray.username).toBe(GOOD.username);
    expect((await k.call(`${BINTRAY}/apiKey`, { auth: alice })).json).toEqual(GOOD);
    const rows = await k.sql('select * from bintray_credentials');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(GOOD.apiKey);
  });

  it('Test: valid, with the saved credentials', async () => {
    const reply = await k.call(`${BINTRAY}/test`, { method: 'POST', auth: alice, json: {} });
    expect(reply.json).toEqual({ outcome: 'valid', message: expect.stringContaining(GOOD.username) });
    expect(bintray.state.requests.at(-1)).toBe(`GET /users/${GOOD.username}`);
  });

  it('Test: invalid, with a wrong key typed in, and the key is in no answer', async () => {
    const reply = await k.call(`${BINTRAY}/test`, { method: 'POST', auth: alice, json: { apiKey: 'wrong-key-0000' } });
    expect(reply.json.outcome).toBe('invalid');
    expect(reply.text).not.toContain('wrong-key-0000');
  });

  it('Test: timed out when Bintray never answers', async () => {
    bintray.state.hang = true;
    try {
      const reply = await k.call(`${BINTRAY}/test`, { method: 'POST', auth: alice, json: {} });
      expect(reply.status).toBe(200);
      expect(reply.json.outcome).toBe('timeout');
    } finally {
      bintray.state.hang = false;
    }
  });

  it('Test: unreachable when Bintray is down', async () => {
    await bintray.close();
    const reply = await k.call(`${BINTRAY}/test`, { method: 'POST', auth: alice, json: {} });
    expect(reply.json).toMatchObject({ outcome: 'unreachable', message: expect.stringMatching(/cannot be reached/) });
  });

  it('refuses empty fields and needs an unlocked session', async () => {
    expect((await k.call(BINTRAY, { method: 'PUT', auth: alice, json: { username: '', apiKey: 'x' } })).status).toBe(400);
    const session = await k.call('/api/v1/session', { method: 'POST', json: { username: 'alice', password: 'alice-Password-1' } });
    const bearer = { bearer: session.json.token };
    await k.call('/api/v1/session/lock', { method: 'POST', auth: bearer });
    expect((await k.call(`${BINTRAY}/apiKey`, { auth: bearer })).json.errors[0].code).toBe('UNLOCK_REQUIRED');
    expect((await k.call(BINTRAY, { auth: bearer })).json.bintray.apiKeyMasked).toMatch(/•/);
  });

  it('removes them', async () => {
    expect((await k.call(BINTRAY, { method: 'DELETE', auth: alice })).json).toEqual({ bintray: null });
    expect((await k.call(`${BINTRAY}/apiKey`, { auth: alice })).status).toBe(404);
  });
});
