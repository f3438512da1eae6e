import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_PATTERN } from '../../shared/formats';
import type { AccessTokenInfo } from '../../shared/schemas';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../tests/helpers/keyfob';
import { createKeyfobClient, describeError, KeyfobError, type KeyfobClient } from './api';
import { recover, type View } from './popup';
import { browserPopupDeps } from './popupDeps';
import { askRevoke, cancelRevoke, generateToken, INITIAL_TOKENS, loadTokens, maskToken, revokeConfirmed, tokenRow, TOKEN_EXPIRIES } from './tokens';

const VERSION = '/artifactory/api/system/version';
const DAY = 86_400;

/** The Tokens tab's steps with the real client against a real server, as the popup takes them. */
describe('tokens tab', () => {
  let k: RunningKeyfob;
  let client: KeyfobClient;
  const asScript = (token: string) => k.call(VERSION, { auth: { bearer: token } }).then((r) => r.status);
  const signedIn = async () => createKeyfobClient(k.url, (await createKeyfobClient(k.url, null).signIn('tess', 'tess-Password-1')).token);

  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('tess', 'tess-Password-1');
    client = await signedIn();
  });
  afterAll(() => k.close());
  beforeEach(() => fakeBrowser.reset());

  it('offers the expiries the server allows a user by default, none longer than a year', () => {
    expect(TOKEN_EXPIRIES.map((choice) => choice.label)).toEqual(['1 day', '30 days', '90 days', '1 year']);
    expect(Math.max(...TOKEN_EXPIRIES.map((choice) => choice.seconds))).toBe(365 * DAY);
  });

  it('asks for a description and an offered expiry before calling the server', async () => {
    const empty = await loadTokens(client, 'tess', INITIAL_TOKENS);
    expect(empty.tokens).toEqual([]);
    expect(await generateToken(client, 'tess', empty, { description: '  ', expiresIn: String(DAY) })).toMatchObject({
      problem: /Say what the token is for/,
      fresh: null,
    });
    expect(await generateToken(client, 'tess', empty, { description: 'ci', expiresIn: '12345' })).toMatchObject({
      problem: 'Choose when the token expires.',
      fresh: null,
    });
    expect(await client.listTokens('tess')).toEqual([]);
  });

  it('generates an identity token that works for a script, shows it once, and lists it', async () => {
    const state = await generateToken(client, 'tess', await loadTokens(client, 'tess', INITIAL_TOKENS), {
      description: ' CI deploys ',
      expiresIn: String(30 * DAY),
    });
    expect(state).toMatchObject({ problem: '', status: 'Token generated: copy it now', confirming: null });
    expect(state.fresh!.value).toMatch(ACCESS_TOKEN_PATTERN);
    expect(await asScript(state.fresh!.value)).toBe(200);
    expect(state.tokens).toHaveLength(1);
    const listed = state.tokens![0]!;
    expect(listed).toMatchObject({
      token_id: state.fresh!.id,
      description: 'CI deploys',
      scope: 'applied-permissions/user',
      subject: expect.stringMatching(/\/tess$/),
    });
    expect(listed.expiry! - listed.issued_at).toBe(30 * DAY);
    // The list never carries a token's value.
    expect(JSON.stringify(state.tokens)).not.toContain(state.fresh!.value);
    const row = tokenRow(listed, 'en-GB');
    expect(row).toMatchObject({ title: 'CI deploys', scope: 'applied-permissions/user (acts as you)', lastUsed: 'never' });
    expect(row.created).toBe(new Date(listed.issued_at * 1000).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric' }));
    expect(row.expires).toBe(new Date(listed.expiry! * 1000).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric' }));
    expect(maskToken(state.fresh!.value)).toMatch(/^eyJ.••••••••[A-Za-z0-9_-]{4}$/);
  });

  it('reads tokens made elsewhere: no description, never expiring, used', () => {
    const token: AccessTokenInfo = {
      token_id: 'abcdef0123456789',
      subject: 'jfac@keyfob/users/tess',
      issued_at: 1_700_000_000,
      issuer: 'jfac@keyfob',
      refreshable: false,
      scope: 'applied-permissions/admin',
      last_used: 1_700_000_600,
    };
    expect(tokenRow(token, 'en-GB')).toMatchObject({
      title: 'No description (abcdef01)',
      scope: 'applied-permissions/admin (acts as you, with admin rights)',
      expires: 'never',
      lastUsed: expect.stringMatching(/ago$/),
      unused: true,
    });
    // Where it was last used, as the API counted it, and no nudge while it is in use.
    const threeMinutesLater = (1_700_000_600 + 180) * 1000;
    const usage = { clients: [{ address: '10.1.2.3', userAgent: 'curl/8.5.0', client: 'curl/8.5.0', lastUsedAt: '2023-11-14T22:23:20.000Z' }], daily: [] };
    expect(tokenRow({ ...token, usage }, 'en-GB', threeMinutesLater)).toMatchObject({ lastUsed: '3 minutes ago from 10.1.2.3 (curl/8.5.0)', unused: false });
    expect(tokenRow(token, 'en-GB', threeMinutesLater + 90 * 86_400_000).unused).toBe(true);
    expect(tokenRow({ ...token, scope: 'member-of-groups:*' }).scope).toBe('member-of-groups:*');
  });

  it('revokes only after asking: the script gets 401, and a second revoke is no failure', async () => {
    const made = await generateToken(client, 'tess', await loadTokens(client, 'tess', INITIAL_TOKENS), { description: 'laptop', expiresIn: String(DAY) });
    const laptop = made.tokens!.find((t) => t.token_id === made.fresh!.id)!;
    const asking = askRevoke(made, laptop);
    expect(asking.confirming).toBe(laptop);
    expect(cancelRevoke(asking)).toMatchObject({ confirming: null, fresh: made.fresh });
    expect(await asScript(made.fresh!.value)).toBe(200);
    const revoked = await revokeConfirmed(client, asking);
    expect(revoked).toMatchObject({ confirming: null, fresh: null, status: 'Token “laptop” revoked' });
    expect(revoked.tokens!.map((t) => t.description)).toEqual(['CI deploys']);
    expect(await asScript(made.fresh!.value)).toBe(401);
    expect((await client.listTokens('tess')).map((t) => t.description)).toEqual(['CI deploys']);
    // Already gone (the server answers 204): the popup need not say anything went wrong.
    await expect(revokeConfirmed(client, asking)).resolves.toMatchObject({ confirming: null });
  });

  it("shows the server's own message when it refuses an expiry", async () => {
    const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
    const policy = { defaultExpiresInSeconds: DAY, maxExpiresInSeconds: 30 * DAY, allowNonExpiring: false };
    expect((await k.call('/api/v1/settings/tokenPolicy', { method: 'PUT', auth: admin, json: policy })).status).toBe(200);
    try {
      const error = await generateToken(client, 'tess', INITIAL_TOKENS, { description: 'long', expiresIn: String(90 * DAY) }).catch((e) => e);
      expect(error).toBeInstanceOf(KeyfobError);
      expect(describeError(error)).toEqual({ message: expect.stringMatching(/at most 2592000 seconds/), next: 'retry' });
    } finally {
      await k.call('/api/v1/settings/tokenPolicy', {
        method: 'PUT',
        auth: admin,
        json: { ...policy, defaultExpiresInSeconds: 365 * DAY, maxExpiresInSeconds: 365 * DAY },
      });
    }
  });

  it('needs an unlocked session: a locked one brings the unlock prompt', async () => {
    const locked = await signedIn();
    const profile = await locked.lock();
    const error = await generateToken(locked, 'tess', INITIAL_TOKENS, { description: 'while locked', expiresIn: String(DAY) }).catch((e) => e);
    expect(error).toMatchObject({ code: 'UNLOCK_REQUIRED' });
    const view: View = { name: 'unlocked', serverUrl: k.url, profile: { ...profile, unlocked: true } };
    expect(await recover(browserPopupDeps, view, error)).toMatchObject({
      name: 'locked',
      error: 'Your Keyfob server ended the unlock. Enter your password to unlock again.',
    });
    await expect(locked.listTokens('tess')).rejects.toMatchObject({ code: 'UNLOCK_REQUIRED' });
    expect((await client.listTokens('tess')).map((t) => t.description)).not.toContain('while locked');
  });
});
