/**
 * OAuth account binding and sign-in against a real OpenID Connect provider (oidc-provider), driven
 * through Chromium: bind (confirmed on the page and approved by the starting session), sign in with the
 * bound identity (the claim and the tab's completion code), users made on first sign-in (never an
 * existing user by name, verified e-mail only, limited by domain); the attacks of someone who starts a
 * flow and sends the link to someone else; and a state that matches nothing, a replayed code, a wrong
 * issuer and an identity bound already, all refused. Sign-in starts are rate limited per address.
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { completionCode, OIDC_CLIENT, signInAtProvider, startOidcProvider, type RunningOidcProvider } from '../helpers/oidc';
import { freePort } from '../helpers/process';

const V = '/api/v1';

describe('OAuth with an OpenID Connect provider', () => {
  let k: RunningKeyfob;
  let idp: RunningOidcProvider;
  let browser: Browser;
  /** The provider's callbacks to Keyfob that Chromium made, for the replay test. */
  const callbacks: string[] = [];
  /** A new browser profile: no provider session from an earlier step. */
  const freshPage = async () => {
    const context = await browser.createBrowserContext();
    const fresh = await context.newPage();
    fresh.setDefaultTimeout(10_000);
    fresh.on('request', (request) => {
      if (request.url().includes(`${V}/oauth/callback`)) callbacks.push(request.url());
    });
    return fresh;
  };
  const session = async (name: string) =>
    (await k.call(`${V}/session`, { method: 'POST', json: { username: name, password: `${name}-Password-1` } })).json.token as string;
  const identities = async (token: string) => (await k.call(`${V}/profile/oauth`, { auth: { bearer: token } })).json.identities;
  const claim = (claimValue: string, code?: string) =>
    k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: claimValue, ...(code === undefined ? {} : { code }) } });
  const approve = (token: string, code: string) => k.call(`${V}/oauth/approve`, { method: 'POST', auth: { bearer: token }, json: { code } });
  const sessionsOf = async (name: string) =>
    Number((await k.sql('select count(*) as n from sessions where user_id = (select id from users where name_key = ?)', [name]))[0]!.n);
  /** A sign-in started over HTTP and finished as `login` in a fresh browser: what the page says, the claim and the tab's code. */
  const signIn = async (provider: string, login: string) => {
    const started = await k.call(`${V}/oauth/${provider}/signIn`, { method: 'POST' });
    expect(started.status).toBe(200);
    const tab = await freshPage();
    const text = await signInAtProvider(tab, started.json.authorizationUrl, login);
    return { text, claim: started.json.claim as string, code: completionCode(tab), tab };
  };
  /** A bind started by `token` and taken to the provider as `login` in a fresh browser. */
  const startBind = async (token: string, login: string) => {
    const started = await k.call(`${V}/oauth/corp/bind`, { method: 'POST', auth: { bearer: token } });
    expect(started.status).toBe(200);
    const tab = await freshPage();
    const text = await signInAtProvider(tab, started.json.authorizationUrl, login);
    return { text, code: completionCode(tab), tab, authorizationUrl: started.json.authorizationUrl as string };
  };
  const confirmOnPage = async (tab: Page) => {
    await Promise.all([tab.waitForNavigation(), tab.click('form button[type=submit]')]);
    return tab.$eval('#result', (el) => el.textContent ?? '');
  };

  beforeAll(async () => {
    // Keyfob finds the provider by discovery when first needed, so the provider may start after it.
    const idpPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    const client = { issuer, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret, createUsers: true };
    k = await startKeyfob({
      OAUTH_PROVIDERS: JSON.stringify([
        { id: 'corp', name: 'Corp SSO', ...client },
        // The same provider again, limited: accounts only for verified addresses at corp.test, or for Workspace corp.example.
        { id: 'corp-only', name: 'Corp only', ...client, allowedDomains: ['corp.test'] },
        { id: 'workspace', name: 'Workspace', ...client, hostedDomain: 'corp.example' },
      ]),
    });
    idp = await startOidcProvider(idpPort, `${k.url}${V}/oauth/callback`, {
      'carol-impostor': { preferred_username: 'carol', email: 'carol@corp.test' },
      'alice-lookalike': { preferred_username: 'alice', email: 'alice@corp.test' },
      // No email_verified at all: not a yes.
      una: { email_verified: undefined, preferred_username: undefined },
      outsider: { email: 'outsider@elsewhere.test' },
      'unverified-insider': { email: 'uv@corp.test', email_verified: false },
      wanda: { hd: 'corp.example' },
    });
    await k.createUser('alice', 'alice-Password-1');
    await k.createUser('bob', 'bob-Password-1');
    await k.createUser('pat', 'pat-Password-1');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await k?.close();
    await idp?.close();
  });

  it('lists the providers without their secret', async () => {
    const reply = await k.call(`${V}/oauth/providers`);
    expect(reply.json.providers.map((p: { id: string }) => p.id)).toEqual(['corp', 'corp-only', 'workspace']);
    expect(reply.text).not.toContain(OIDC_CLIENT.secret);
  });

  it('binds only once the page naming the account was confirmed and the starting session approved', async () => {
    const token = await session('alice');
    const other = await session('alice');
    const bind = await startBind(token, 'alice.corp');
    const url = new URL(bind.authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(bind.text).toMatch(/Bind your Corp SSO account alice\.corp \(alice\.corp@corp\.test\) to the Keyfob account alice\?/);
    expect(new URL(bind.tab.url()).pathname).toBe(`${V}/oauth/finished`);
    // The page alone has not bound anything; nor does another session of the same user with the right code.
    expect(await identities(token)).toEqual([]);
    const elsewhere = await approve(other, bind.code);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json.errors[0]).toMatchObject({ status: 403, code: 'FORBIDDEN', message: expect.stringMatching(/another Keyfob session/) });
    // The starter alone: still nothing.
    expect((await approve(token, bind.code)).json).toEqual({ status: 'waiting' });
    expect(await identities(token)).toEqual([]);
    // Both: bound.
    expect(await confirmOnPage(bind.tab)).toMatch(/Corp SSO account is now bound to alice/);
    expect(await identities(token)).toEqual([expect.objectContaining({ provider: 'corp', subject: 'alice.corp', email: 'alice.corp@corp.test' })]);
    expect((await approve(token, bind.code)).json).toEqual({ status: 'bound' });
    // A way in was added: alice is told, once (the approval again binds nothing new).
    const notices = await k.sql(`select recipient from outbox where subject = 'A Corp SSO account was bound to your Keyfob account'`);
    expect(notices.map((n) => n.recipient)).toEqual(['alice@example.com']);
  });

  it('refuses a replayed callback (the same code again)', async () => {
    const replay = await k.call(callbacks.at(-1)!.slice(k.url.length));
    expect(replay.status).toBe(400);
    expect(replay.text).toMatch(/already used/);
  });

  it('signs in with the bound identity; the session goes once, to the claim with the code of the tab that came back', async () => {
    const started = await k.call(`${V}/oauth/corp/signIn`, { method: 'POST' });
    expect((await claim(started.json.claim)).status).toBe(202);
    const tab = await freshPage();
    expect(await signInAtProvider(tab, started.json.authorizationUrl, 'alice.corp')).toMatch(/Signed in to Keyfob as alice with Corp SSO: return to Keyfob/);
    const claimed = await claim(started.json.claim, completionCode(tab));
    expect(claimed.status).toBe(200);
    expect(claimed.json.profile).toMatchObject({ name: 'alice', unlocked: false });
    expect((await k.call(`${V}/profile`, { auth: { bearer: claimed.json.token } })).status).toBe(200);
    expect((await claim(started.json.claim, completionCode(tab))).status).toBe(404);
  });

  it('gives whoever started a sign-in and sent the link to someone else nothing of theirs', async () => {
    const before = await sessionsOf('alice');
    // The attacker starts, keeps the claim, and sends the authorization URL to alice, who follows it.
    const attacker = await k.call(`${V}/oauth/corp/signIn`, { method: 'POST' });
    const victim = await freshPage();
    expect(await signInAtProvider(victim, attacker.json.authorizationUrl, 'alice.corp')).toMatch(/Signed in to Keyfob as alice/);
    expect(await victim.content()).toMatch(/close this tab: whoever sent you the link gets nothing/);
    // The attacker polls with the claim, then guesses codes: no session, and the flow is over.
    const polled = await claim(attacker.json.claim);
    expect(polled.status).toBe(403);
    expect(polled.json.errors[0]).toMatchObject({ status: 403, code: 'FORBIDDEN', message: expect.stringMatching(/tab that your Keyfob did not open/) });
    expect(polled.json.token).toBeUndefined();
    expect((await claim(attacker.json.claim, 'a'.repeat(32))).status).toBe(404);
    // Not even the real code helps once the claim was misused.
    expect((await claim(attacker.json.claim, completionCode(victim))).status).toBe(404);
    expect(await sessionsOf('alice')).toBe(before);
  });

  it('binds nothing when someone starts a bind and sends the link to someone else, even if they confirm', async () => {
    const bobToken = await session('bob');
    // Bob starts a bind to his own account and sends the link; vic follows it and signs in at the provider.
    const bind = await startBind(bobToken, 'vic');
    expect(bind.text).toMatch(/to the Keyfob account bob\?/);
    expect(await bind.tab.content()).toMatch(/Confirm only if bob is your own Keyfob account/);
    expect(await confirmOnPage(bind.tab)).toMatch(/completes once the Keyfob that started it approves it too/);
    // Bob never sees the tab's code: guessing gets him nothing.
    expect((await approve(bobToken, 'b'.repeat(32))).status).toBe(404);
    expect(await identities(bobToken)).toEqual([]);
    expect(Number((await k.sql(`select count(*) as n from oauth_identities where subject = 'vic'`))[0]!.n)).toBe(0);
    expect(await k.sql(`select id from outbox where recipient = 'bob@example.com' and subject like 'A % account was bound%'`)).toEqual([]);
  });

  it('makes a user of realm oauth for an identity nobody has bound, where allowed', async () => {
    const { text, claim: claimValue, code } = await signIn('corp', 'carol');
    expect(text).toMatch(/Signed in to Keyfob as carol/);
    const claimed = await claim(claimValue, code);
    expect(claimed.json.profile).toMatchObject({ name: 'carol', realm: 'oauth', email: 'carol@corp.test', canChangePassword: false });
  });

  it('never signs a new identity in as an existing user of the same name: it gets a user of its own', async () => {
    const impostor = await signIn('corp', 'carol-impostor');
    expect(impostor.text).toMatch(/Signed in to Keyfob as carol-2 /);
    const claimed = await claim(impostor.claim, impostor.code);
    expect(claimed.json.profile).toMatchObject({ name: 'carol-2', realm: 'oauth' });
    const carolIdentities = await k.sql(`select subject from oauth_identities where user_id = (select id from users where name_key = 'carol')`);
    expect(carolIdentities).toEqual([{ subject: 'carol' }]);
    // An internal user's name the same way.
    const lookalike = await signIn('corp', 'alice-lookalike');
    expect(lookalike.text).toMatch(/Signed in to Keyfob as alice-2 /);
    expect((await claim(lookalike.claim, lookalike.code)).json.profile).toMatchObject({ name: 'alice-2', realm: 'oauth' });
  });

  it('uses an e-mail only when the provider says it is verified', async () => {
    const una = await signIn('corp', 'una');
    // No preferred_username and no verified e-mail: the name comes from the provider and subject, not the address.
    expect(una.text).toMatch(/Signed in to Keyfob as corp-una /);
    expect((await claim(una.claim, una.code)).json.profile).toMatchObject({ name: 'corp-una', email: null });
  });

  it('makes users only for verified addresses of the allowed domains, where so limited', async () => {
    const outsider = await signIn('corp-only', 'outsider');
    expect(outsider.text).toMatch(/only for verified Corp only e-mail addresses at corp\.test/);
    expect((await claim(outsider.claim)).status).toBe(202);
    expect((await signIn('corp-only', 'unverified-insider')).text).toMatch(/only for verified/);
    expect((await k.sql(`select name from users where name_key in ('outsider', 'unverified-insider')`)).length).toBe(0);
    const insider = await signIn('corp-only', 'ivy');
    expect((await claim(insider.claim, insider.code)).json.profile).toMatchObject({ name: 'ivy', email: 'ivy@corp.test' });
  });

  it("makes users only for accounts of the hosted domain (Google's hd), where so limited", async () => {
    expect((await signIn('workspace', 'walter')).text).toMatch(/only for Workspace accounts of corp\.example/);
    const wanda = await signIn('workspace', 'wanda');
    expect((await claim(wanda.claim, wanda.code)).json.profile).toMatchObject({ name: 'wanda', realm: 'oauth' });
  });

  it('refuses an identity already bound to another user', async () => {
    const token = await session('bob');
    const bind = await startBind(token, 'alice.corp');
    expect(bind.text).toMatch(/already bound to another Keyfob user/);
    expect(await identities(token)).toEqual([]);
  });

  it('refuses a state that matches no flow, a wrong issuer, and a code that matches no flow', async () => {
    const page = await freshPage();
    await page.goto(`${k.url}${V}/oauth/callback?code=abc&state=forged-state`);
    expect(await page.$eval('#result', (el) => el.textContent)).toMatch(/unknown or has expired/);
    const token = await session('bob');
    const started = await k.call(`${V}/oauth/corp/bind`, { method: 'POST', auth: { bearer: token } });
    const state = new URL(started.json.authorizationUrl).searchParams.get('state')!;
    const forged = await k.call(`${V}/oauth/callback?code=abc&state=${state}&iss=${encodeURIComponent('http://evil.example')}`);
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/iss/);
    for (const method of ['GET', 'POST']) {
      const finished = await k.call(`${V}/oauth/finished?code=${'c'.repeat(32)}`, { method });
      expect(finished.status).toBe(400);
      expect(finished.text).toMatch(/unknown or has expired/);
    }
    expect((await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: 'x'.repeat(65) } })).status).toBe(400);
  });

  it('does not let a user whose profile is not updatable bind or unbind', async () => {
    const token = await session('pat');
    const bind = await startBind(token, 'pat.corp');
    expect((await approve(token, bind.code)).json.status).toBe('waiting');
    expect(await confirmOnPage(bind.tab)).toMatch(/bound to pat/);
    const updated = await k.call('/artifactory/api/security/users/pat', {
      method: 'POST',
      auth: { basic: [ADMIN.name, ADMIN.password] },
      json: { profileUpdatable: false },
    });
    expect(updated.status).toBe(200);
    await k.settle();
    const fresh = await session('pat');
    for (const reply of [
      await k.call(`${V}/oauth/corp/bind`, { method: 'POST', auth: { bearer: fresh } }),
      await k.call(`${V}/profile/oauth/corp`, { method: 'DELETE', auth: { bearer: fresh } }),
    ]) {
      expect(reply.status).toBe(403);
      expect(reply.json.errors[0]).toMatchObject({ status: 403, code: 'FORBIDDEN', message: expect.stringMatching(/profileUpdatable is off/) });
    }
    expect(await identities(fresh)).toEqual([expect.objectContaining({ provider: 'corp', subject: 'pat.corp' })]);
  });

  it('unbinds after unlock', async () => {
    const token = await session('alice');
    const reply = await k.call(`${V}/profile/oauth/corp`, { method: 'DELETE', auth: { bearer: token } });
    expect(reply.json.identities).toEqual([]);
  });

  it('limits sign-in starts per address: 429 with Retry-After, in the usual error shape', async () => {
    const limited = await startKeyfob({
      OAUTH_PROVIDERS: JSON.stringify([{ id: 'corp', name: 'Corp SSO', issuer: idp.issuer, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret }]),
    });
    try {
      for (let i = 0; i < 30; i++) expect((await limited.call(`${V}/oauth/corp/signIn`, { method: 'POST' })).status).toBe(200);
      const refused = await limited.call(`${V}/oauth/corp/signIn`, { method: 'POST' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.json).toEqual({
        errors: [{ status: 429, code: 'RATE_LIMITED', message: expect.stringMatching(/Too many sign-ins started from your address/) }],
      });
      await limited.advance(10 * 60_000 + 1_000);
      expect((await limited.call(`${V}/oauth/corp/signIn`, { method: 'POST' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
