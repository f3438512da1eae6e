/**
 * GitHub Enterprise (plain OAuth 2 and its user API) against a local server that implements the endpoints
 * Keyfob uses, with PKCE and single-use codes checked as GitHub does. No browser: the server approves at
 * once, as GitHub does for an app the user already authorized, and the test follows the redirects and
 * posts the confirmation as the browser would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { freePort } from '../helpers/process';

const CLIENT = { id: 'ghe-client', secret: 'ghe-secret-0123456789' };
const V = '/api/v1';

interface Account {
  id: number;
  login: string;
  /** The profile's public email: whatever the user typed. */
  email: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

const GUS: Account = {
  id: 4242,
  login: 'gus',
  email: null,
  emails: [
    { email: 'old@ghe.test', primary: false, verified: true },
    { email: 'gus@ghe.test', primary: true, verified: true },
  ],
};

async function startFakeGithubEnterprise(port: number) {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokens = new Set<string>();
  /** Who approves at the authorize endpoint next. */
  const state = { account: GUS };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const body = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== CLIENT.id || url.searchParams.get('code_challenge_method') !== 'S256')
        return json(400, { error: 'bad request' });
      const code = randomBytes(10).toString('hex');
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const entry = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!entry || form.get('client_secret') !== CLIENT.secret || challenge !== entry.challenge || form.get('redirect_uri') !== entry.redirectUri) {
        return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!tokens.has(token)) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/v3/user') return json(200, { id: state.account.id, login: state.account.login, email: state.account.email });
    if (url.pathname === '/api/v3/user/emails') return json(200, state.account.emails);
    return json(404, { message: 'Not Found' });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('GitHub Enterprise accounts', () => {
  let k: RunningKeyfob;
  let ghe: Awaited<ReturnType<typeof startFakeGithubEnterprise>>;
  /** Follows the provider's redirect back to Keyfob's callback, and on to the finished page, as the browser would. */
  const follow = async (authorizationUrl: string) => {
    const approved = await fetch(authorizationUrl, { redirect: 'manual' });
    const callbackUrl = approved.headers.get('location')!;
    const finished = await fetch(callbackUrl);
    return { status: finished.status, text: await finished.text(), callbackUrl, code: new URL(finished.url).searchParams.get('code') ?? '' };
  };

  beforeAll(async () => {
    const port = await freePort();
    k = await startKeyfob({
      OAUTH_PROVIDERS: JSON.stringify([
        {
          id: 'ghe',
          type: 'github-enterprise',
          name: 'GitHub Enterprise',
          issuer: `http://127.0.0.1:${port}`,
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          createUsers: true,
        },
      ]),
    });
    ghe = await startFakeGithubEnterprise(port);
    await k.createUser('gustav', 'gustav-Password-1');
  });
  afterAll(async () => {
    await k?.close();
    await ghe?.close();
  });

  it('binds by the account id, with the verified primary email, and signs in with it', async () => {
    const token = (await k.call(`${V}/session`, { method: 'POST', json: { username: 'gustav', password: 'gustav-Password-1' } })).json.token;
    const bind = await k.call(`${V}/oauth/ghe/bind`, { method: 'POST', auth: { bearer: token } });
    const bound = await follow(bind.json.authorizationUrl);
    expect(bound.text).toMatch(/Bind your GitHub Enterprise account 4242 \(gus@ghe\.test\) to the Keyfob account gustav\?/);
    // The starting session approves with the tab's code, and the page's form is posted.
    expect((await k.call(`${V}/oauth/approve`, { method: 'POST', auth: { bearer: token }, json: { code: bound.code } })).json).toEqual({ status: 'waiting' });
    const confirmed = await k.call(`${V}/oauth/finished?code=${bound.code}`, { method: 'POST' });
    expect(confirmed.text).toMatch(/GitHub Enterprise account is now bound to gustav/);
    expect((await k.call(`${V}/profile/oauth`, { auth: { bearer: token } })).json.identities).toEqual([
      expect.objectContaining({ provider: 'ghe', subject: '4242', email: 'gus@ghe.test' }),
    ]);
    // The same callback again: the code is spent and the state used.
    expect((await fetch(bound.callbackUrl)).status).toBe(400);

    const signIn = await k.call(`${V}/oauth/ghe/signIn`, { method: 'POST' });
    const signedIn = await follow(signIn.json.authorizationUrl);
    expect(signedIn.text).toMatch(/Signed in to Keyfob as gustav/);
    const claimed = await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: signIn.json.claim, code: signedIn.code } });
    expect(claimed.json.profile.name).toBe('gustav');
  });

  it("takes only a verified primary address, never the profile's public one", async () => {
    ghe.state.account = { id: 5151, login: 'gil', email: 'gil@ghe.test', emails: [{ email: 'gil@ghe.test', primary: true, verified: false }] };
    const signIn = await k.call(`${V}/oauth/ghe/signIn`, { method: 'POST' });
    const signedIn = await follow(signIn.json.authorizationUrl);
    const claimed = await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: signIn.json.claim, code: signedIn.code } });
    expect(claimed.json.profile).toMatchObject({ name: 'gil', realm: 'oauth', email: null });
  });
});
