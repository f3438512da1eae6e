/**
 * SAML 2.0 SP-initiated sign-in against an identity provider built with xml-crypto in the test: the
 * checks of the response, the finish shared with OAuth (the session goes to the claim with the code of
 * the tab that came back, so whoever started and sent the link gets nothing), request IDs in rows of
 * their own that housekeeping deletes, and the per-address limit on starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { createTestSamlIdp, type TestSamlIdp } from '../helpers/samlIdp';

const V = '/api/v1';

describe('SAML sign-in', () => {
  let k: RunningKeyfob;
  let idp: TestSamlIdp;
  beforeAll(async () => {
    idp = createTestSamlIdp();
    k = await startKeyfob({ SAML_IDP_METADATA: idp.metadataFile, SAML_NAME: 'Corp SAML', SAML_CREATE_USERS: 'true', KEYFOB_HOUSEKEEPING_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await k?.close();
    idp?.remove();
  });

  /** Keyfob's redirect to the provider, read as the provider reads it. */
  const start = async () => {
    const started = await k.call(`${V}/oauth/saml/signIn`, { method: 'POST' });
    expect(started.status).toBe(200);
    return { ...idp.readRequest(started.json.authorizationUrl), claim: started.json.claim as string };
  };
  /** The identity provider's page posting to the assertion consumer, as the browser does: the 303 is not followed. */
  const post = async (SAMLResponse: string, RelayState: string) => {
    const res = await fetch(`${k.url}${V}/saml/acs`, {
      method: 'POST',
      body: new URLSearchParams({ SAMLResponse, RelayState }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  };
  /** Where the 303 sends the tab: the finished page, and the completion code in its URL. */
  const finished = async (location: string | null) => {
    const url = new URL(location ?? '', k.url);
    expect(url.pathname).toBe(`${V}/oauth/finished`);
    return { code: url.searchParams.get('code') ?? '', page: await k.call(url.pathname + url.search) };
  };
  const claim = (claimValue: string, code?: string) =>
    k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: claimValue, ...(code === undefined ? {} : { code }) } });
  const rows = async (statement: string) => Number((await k.sql(statement))[0]!.n);

  it('is offered as a way to sign in, and publishes its metadata', async () => {
    expect((await k.call(`${V}/oauth/providers`)).json.providers).toEqual([{ id: 'saml', name: 'Corp SAML', kind: 'saml' }]);
    const metadata = await k.call(`${V}/saml/metadata`);
    expect(metadata.text).toContain(`Location="${k.url}/api/v1/saml/acs"`);
  });

  it('accepts a good signed assertion and signs the user in, realm saml, with the email it carries', async () => {
    const request = await start();
    expect(request.acs).toBe(`${k.url}/api/v1/saml/acs`);
    expect((await claim(request.claim)).status).toBe(202);
    const reply = await post(
      idp.respond({ requestId: request.id, acs: request.acs, audience: request.issuer, nameId: 'nina', email: 'nina@corp.test' }),
      request.relayState,
    );
    expect(reply.status).toBe(303);
    const { code, page } = await finished(reply.location);
    expect(page.text).toMatch(/Signed in to Keyfob as nina with Corp SAML: return to Keyfob/);
    const claimed = await claim(request.claim, code);
    expect(claimed.json.profile).toMatchObject({ name: 'nina', realm: 'saml', email: 'nina@corp.test', unlocked: false });
    expect((await claim(request.claim, code)).status).toBe(404);
  });

  it('gives whoever started a sign-in and sent the link to someone else nothing of theirs', async () => {
    // The attacker starts and keeps the claim; the victim's browser, sent the link, signs in and is posted back.
    const attacker = await start();
    const victim = await post(idp.respond({ requestId: attacker.id, acs: attacker.acs, audience: attacker.issuer, nameId: 'nina' }), attacker.relayState);
    expect(victim.status).toBe(303);
    const sessions = await rows(`select count(*) as n from sessions where user_id = (select id from users where name_key = 'nina')`);
    const polled = await claim(attacker.claim);
    expect(polled.status).toBe(403);
    expect(polled.json).toEqual({ errors: [{ status: 403, code: 'FORBIDDEN', message: expect.stringMatching(/tab that your Keyfob did not open/) }] });
    // The victim's code does not help afterwards either: the misused claim is spent.
    expect((await claim(attacker.claim, (await finished(victim.location)).code)).status).toBe(404);
    expect(await rows(`select count(*) as n from sessions where user_id = (select id from users where name_key = 'nina')`)).toBe(sessions);
  });

  it('refuses a bad signature', async () => {
    const request = await start();
    const reply = await post(
      idp.respond({ requestId: request.id, acs: request.acs, audience: request.issuer, nameId: 'nina', signWith: 'stranger' }),
      request.relayState,
    );
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/refused: .*signature/i);
  });

  it('refuses the wrong audience', async () => {
    const request = await start();
    const reply = await post(
      idp.respond({ requestId: request.id, acs: request.acs, audience: 'https://someone-else.example/sp', nameId: 'nina' }),
      request.relayState,
    );
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/audience/i);
  });

  it("refuses a response addressed to another service provider's endpoint", async () => {
    const request = await start();
    const reply = await post(
      idp.respond({ requestId: request.id, acs: 'https://someone-else.example/acs', audience: request.issuer, nameId: 'nina' }),
      request.relayState,
    );
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/addressed to another service provider/);
  });

  it('refuses an expired assertion', async () => {
    const request = await start();
    const reply = await post(
      idp.respond({ requestId: request.id, acs: request.acs, audience: request.issuer, nameId: 'nina', expiresInMs: -10 * 60_000 }),
      request.relayState,
    );
    expect(reply.status).toBe(400);
    // The bearer confirmation has run out (node-saml checks it before the Conditions): refused either way.
    expect(reply.text).toMatch(/expired|NotOnOrAfter|no valid subject confirmation/i);
  });

  it('refuses a replayed response, even carried into a new sign-in', async () => {
    const first = await start();
    const response = idp.respond({ requestId: first.id, acs: first.acs, audience: first.issuer, nameId: 'nina' });
    expect((await post(response, first.relayState)).status).toBe(303);
    expect((await post(response, first.relayState)).status).toBe(400);
    const second = await start();
    const replay = await post(response, second.relayState);
    expect(replay.status).toBe(400);
    expect(replay.text).toMatch(/InResponseTo/i);
  });

  it('keeps request IDs in rows of their own, which housekeeping deletes once expired', async () => {
    await start();
    expect(await rows(`select count(*) as n from settings where key like 'saml-request:%'`)).toBe(0);
    const live = await rows(`select count(*) as n from saml_requests where expires_at > ${Date.now()}`);
    expect(live).toBeGreaterThanOrEqual(1);
    await k.advance(11 * 60_000);
    const deadline = Date.now() + 10_000;
    while ((await rows('select count(*) as n from saml_requests')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await rows('select count(*) as n from saml_requests')).toBe(0);
  });
});

describe('SAML sign-in starts', () => {
  let k: RunningKeyfob;
  let idp: TestSamlIdp;
  beforeAll(async () => {
    idp = createTestSamlIdp();
    k = await startKeyfob({ SAML_IDP_METADATA: idp.metadataFile });
  });
  afterAll(async () => {
    await k?.close();
    idp?.remove();
  });

  it('are limited per address: 429 with Retry-After, in the usual error shape', async () => {
    for (let i = 0; i < 30; i++) expect((await k.call(`${V}/oauth/saml/signIn`, { method: 'POST' })).status).toBe(200);
    const refused = await k.call(`${V}/oauth/saml/signIn`, { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json).toEqual({ errors: [{ status: 429, code: 'RATE_LIMITED', message: expect.stringMatching(/Too many sign-ins started/) }] });
  });
});
