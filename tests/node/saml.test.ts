/** SAML 2.0 SP-initiated sign-in against an identity provider built with xml-crypto in the test. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { createTestSamlIdp, type TestSamlIdp } from '../helpers/samlIdp';

const V = '/api/v1';

describe('SAML sign-in', () => {
  let k: RunningKeyfob;
  let idp: TestSamlIdp;
  beforeAll(async () => {
    idp = createTestSamlIdp();
    k = await startKeyfob({ SAML_IDP_METADATA: idp.metadataFile, SAML_NAME: 'Corp SAML', SAML_CREATE_USERS: 'true' });
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
  const post = (SAMLResponse: string, RelayState: string) =>
    k.call(`${V}/saml/acs`, { method: 'POST', body: new URLSearchParams({ SAMLResponse, RelayState }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  it('is offered as a way to sign in, and publishes its metadata', async () => {
    expect((await k.call(`${V}/oauth/providers`)).json.providers).toEqual([{ id: 'saml', name: 'Corp SAML', kind: 'saml' }]);
    const metadata = await k.call(`${V}/saml/metadata`);
    expect(metadata.text).toContain(`Location="${k.url}/api/v1/saml/acs"`);
  });

  it('accepts a good signed assertion and signs the user in, realm saml, with the email it carries', async () => {
    const request = await start();
    expect(request.acs).toBe(`${k.url}/api/v1/saml/acs`);
    const reply = await post(idp.respond({ requestId: request.id, acs: request.acs, audience: request.issuer, nameId: 'nina', email: 'nina@corp.test' }), request.relayState);
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(/Signed in to Keyfob as nina with Corp SAML/);
    const claimed = await k.call(`${V}/oauth/claim`, { method: 'POST', json: { claim: request.claim } });
    expect(claimed.json.profile).toMatchObject({ name: 'nina', realm: 'saml', email: 'nina@corp.test', unlocked: false });
  });

  it('refuses a bad signature', async () => {
    const request = await start();
    const reply = await post(idp.respond({ requestId: request.id, acs: request.acs, audience: request.issuer, nameId: 'nina', signWith: 'stranger' }), request.relayState);
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/refused: .*signature/i);
  });

  it('refuses the wrong audience', async () => {
    const request = await start();
    const reply = await post(idp.respond({ requestId: request.id, acs: request.acs, audience: 'https://someone-else.example/sp', nameId: 'nina' }), request.relayState);
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/audience/i);
  });

  it("refuses a response addressed to another service provider's endpoint", async () => {
    const request = await start();
    const reply = await post(idp.respond({ requestId: request.id, acs: 'https://someone-else.example/acs', audience: request.issuer, nameId: 'nina' }), request.relayState);
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/addressed to another service provider/);
  });

  it('refuses an expired assertion', async () => {
    const request = await start();
    const reply = await post(idp.respond({ requestId: request.id, acs: request.acs, audience: request.issuer, nameId: 'nina', expiresInMs: -10 * 60_000 }), request.relayState);
    expect(reply.status).toBe(400);
    // The bearer confirmation has run out (node-saml checks it before the Conditions): refused either way.
    expect(reply.text).toMatch(/expired|NotOnOrAfter|no valid subject confirmation/i);
  });

  it('refuses a replayed response, even carried into a new sign-in', async () => {
    const first = await start();
    const response = idp.respond({ requestId: first.id, acs: first.acs, audience: first.issuer, nameId: 'nina' });
    expect((await post(response, first.relayState)).status).toBe(200);
    expect((await post(response, first.relayState)).status).toBe(400);
    const second = await start();
    const replay = await post(response, second.relayState);
    expect(replay.status).toBe(400);
    expect(replay.text).toMatch(/InResponseTo/i);
  });
});
