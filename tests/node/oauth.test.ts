/**
 * OAuth account binding and sign-in against a real OpenID Connect provider (oidc-provider), driven
 * through Chromium: bind, sign in with the bound identity, a user made on first sign-in; and a state
 * that matches nothing, a replayed code, a wrong issuer and an identity bound already, all refused.
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { OIDC_CLIENT, signInAtProvider, startOidcProvider, type RunningOidcProvider } from '../helpers/oidc';
import { freePort } from '../helpers/process';

const V = '/api/v1';

describe('OAuth with an OpenID Connect provider', () => {
  let k: RunningKeyfob;
  let idp: RunningOidcProvider;
  let browser: Browser;
  let page: Page;
  /** A new browser profile: no provider session from an earlier step. */
  const freshPage = async () => {
    const context = await browser.createBrowserContext();
    const fresh = await context.newPage();
    fresh.setDefaultTimeout(10_000);
    return fresh;
  };
  const session = async (name: string) => (await k.call(`${V}/session`, { method: 'POST', json: { username: name, password: `${name}-Password-1` } })).json.token as string;

  beforeAll(async () => {
    // Keyfob finds the provider by discovery when first needed, so the provider may start after it.
    const idpPort = await freePort();
    k = await startKeyfob({
      OAUTH_PROVIDERS: JSON.stringify([
        { id: 'corp', name: 'Corp SSO', issuer: `http://127.0.0.1:${idpPort}`, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret, createUsers: true },
      ]),
    });
    idp = await startOidcProvider(idpPort, `${k.url}${V}/oauth/callback`);
    await k.createUser('alice', 'alice-Password-1');
    await k.createUser('bob', 'bob-Password-1');
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await k?.close();
    await idp?.close();
  });

  it('lists the provider without its secret', async () => {
    const reply = await k.call(`${V}/oauth/providers`);
    expect(reply.json).toEqual({ providers: [{ id: 'corp', name: 'Corp SSO', kind: 'oidc' }] });
    expect(reply.text).not.toContain(OIDC_CLIENT.secret);
  });

  it('binds an identity to the signed-in user through the provider', async () => {
    const token = await session('alice');
    const started = await k.call(`${V}/oauth/corp/bind`, { method: 'POST', auth: { bearer: token } });
    expect(started.status).toBe(200);
    const url = new URL(started.json.authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(await signInAtProvider(page, started.json.authorizationUrl, 'alice.corp')).toMatch(/Corp SSO account is now bound to alice/);
    const bound = await k.call(`${V}/profile/oauth`, { auth: { bearer: token } });
    expect(bound.json.identities).toEqual([expect.objectContaining({ provider: 'corp', subject: 'alice.corp', email: 'alice.corp@corp.test' })]);
  });

  it('refuses a replayed callback (the same code again)', async () => {
    await page.goto(page.url());
    expect(await page.$eval('#result', (el) => el.textContent)).toMatch(/already used/);
  });

  it('signs in with the bound identity; the extension collects the session with its claim, once', async () => {
    const started = await k.call(`${V}/oauth/corp/signIn`, { method: 'POST' });
    const { authorizationUrl, claim } = started.json;
    expect((await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim } })).status).toBe(202);
    expect(await signInAtProvider(page, authorizationUrl, 'alice.corp')).toMatch(/Signed in to Keyfob as alice/);
    const claimed = await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim } });
    expect(claimed.status).toBe(200);
    expect(claimed.json.profile).toMatchObject({ name: 'alice', unlocked: false });
    expect((await k.call(`${V}/profile`, { auth: { bearer: claimed.json.token } })).status).toBe(200);
    expect((await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim } })).status).toBe(404);
  });

  it('makes a user of realm oauth for an identity nobody has bound, where allowed', async () => {
    const started = await k.call(`${V}/oauth/corp/signIn`, { method: 'POST' });
    expect(await signInAtProvider(await freshPage(), started.json.authorizationUrl, 'carol')).toMatch(/Signed in to Keyfob as carol/);
    const claimed = await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: started.json.claim } });
    expect(claimed.json.profile).toMatchObject({ name: 'carol', realm: 'oauth', email: 'carol@corp.test', canChangePassword: false });
  });

  it('refuses an identity already bound to another user', async () => {
    const token = await session('bob');
    const started = await k.call(`${V}/oauth/corp/bind`, { method: 'POST', auth: { bearer: token } });
    expect(await signInAtProvider(await freshPage(), started.json.authorizationUrl, 'alice.corp')).toMatch(/already bound to another Keyfob user/);
    expect((await k.call(`${V}/profile/oauth`, { auth: { bearer: token } })).json.identities).toEqual([]);
  });

  it('refuses a state that matches no flow, and a wrong issuer', async () => {
    await page.goto(`${k.url}${V}/oauth/callback?code=abc&state=forged-state`);
    expect(await page.$eval('#result', (el) => el.textContent)).toMatch(/unknown or has expired/);
    const token = await session('bob');
    const started = await k.call(`${V}/oauth/corp/bind`, { method: 'POST', auth: { bearer: token } });
    const state = new URL(started.json.authorizationUrl).searchParams.get('state')!;
    const forged = await k.call(`${V}/oauth/callback?code=abc&state=${state}&iss=${encodeURIComponent('http://evil.example')}`);
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/iss/);
  });

  it('unbinds after unlock', async () => {
    const token = await session('alice');
    const reply = await k.call(`${V}/profile/oauth/corp`, { method: 'DELETE', auth: { bearer: token } });
    expect(reply.json.identities).toEqual([]);
  });
});
