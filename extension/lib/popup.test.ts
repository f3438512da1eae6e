import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../tests/helpers/keyfob';
import { createKeyfobClient, describeError, KeyfobError } from './api';
import { idleExpired } from './autolock';
import { clearIfUnchanged, sha256Hex, type ClipboardIo } from './clipboard';
import {
  connect,
  generateApiKey,
  isPlainHttpRemote,
  lock,
  lockNote,
  normaliseServerUrl,
  openPopup,
  recover,
  regenerateApiKey,
  renewExpiredPassword,
  requestReset,
  revealFailed,
  revokeApiKey,
  signIn,
  signInWithOAuth,
  signInWithSso,
  signOut,
  unlock,
  type PopupDeps,
  type View,
} from './popup';
import { browserPopupDeps } from './popupDeps';
import { autoLockItem, draftServerUrlItem, lastActivityItem, serverUrlItem, sessionTokenItem } from './storage';

/**
 * The popup's real dependencies on WXT's fake browser storage and the real client, against a real server;
 * only what needs a user or a background (the permission prompt, the auto-lock timer) is stood in for.
 */
function deps(now = () => Date.now()): PopupDeps {
  return { ...browserPopupDeps, touch: () => lastActivityItem.setValue(now()), requestOrigin: async () => true, hasOrigin: async () => true, now };
}

describe('popup state', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('wes', 'wes-Password-1');
  });
  afterAll(() => k.close());
  beforeEach(() => fakeBrowser.reset());

  it('starts at setup with the default address, and refuses addresses that are not http(s)', async () => {
    expect(await openPopup(deps())).toEqual({ name: 'setup', serverUrl: 'http://127.0.0.1:8787' });
    expect((await connect(deps(), 'ftp://example.com')).name).toBe('setup');
    expect(normaliseServerUrl('127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(normaliseServerUrl('https://keyfob.example.com/some/path')).toBe('https://keyfob.example.com');
    expect(normaliseServerUrl('javascript:alert(1)')).toBeNull();
  });

  it('says when the server cannot be reached, or is not Keyfob', async () => {
    const down = await connect(deps(), 'http://127.0.0.1:9');
    expect(down).toMatchObject({ name: 'setup', error: expect.stringMatching(/^Can't reach Keyfob at http:\/\/127\.0\.0\.1:9/) });
    expect(await serverUrlItem.getValue()).toBeNull();
    const refused = await connect({ ...deps(), requestOrigin: async () => false }, k.url);
    expect(refused).toMatchObject({ name: 'setup', error: expect.stringMatching(/needs your permission/) });
  });

  it('connects, signs in, and keeps the token in session storage only', async () => {
    expect(await connect(deps(), k.url)).toEqual({ name: 'sign-in', serverUrl: k.url });
    expect(await serverUrlItem.getValue()).toBe(k.url);
    const wrong = await signIn(deps(), k.url, 'wes', 'wrong-password');
    expect(wrong).toMatchObject({ name: 'sign-in', error: 'Wrong user name or password.' });
    await k.advance(2_000);
    const view = await signIn(deps(), k.url, 'wes', 'wes-Password-1');
    expect(view).toMatchObject({ name: 'unlocked', profile: { name: 'wes', unlocked: true } });
    expect(await fakeBrowser.storage.session.get(null)).toMatchObject({ token: expect.stringMatching(/^kfs_/) });
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toMatch(/kfs_/);
    expect(await openPopup(deps())).toMatchObject({ name: 'unlocked' });
  });

  it('locks when opened after the idle time, and unlocks with the password', async () => {
    await connect(deps(), k.url);
    await signIn(deps(), k.url, 'wes', 'wes-Password-1');
    await lastActivityItem.setValue(Date.now() - 6 * 60_000);
    const locked = await openPopup(deps());
    expect(locked).toMatchObject({ name: 'locked', profile: { unlocked: false } });
    if (locked.name !== 'locked') throw new Error('not locked');
    expect(await unlock(deps(), locked, '')).toMatchObject({ name: 'locked', error: 'Enter your password.' });
    expect(await unlock(deps(), locked, 'wes-Password-1')).toMatchObject({ name: 'unlocked' });
  });

  it('goes back to sign-in, with a plain reason, when the session has ended elsewhere', async () => {
    await connect(deps(), k.url);
    await signIn(deps(), k.url, 'wes', 'wes-Password-1');
    const token = (await sessionTokenItem.getValue())!;
    await createKeyfobClient(k.url, token).signOut();
    expect(await openPopup(deps())).toEqual({ name: 'sign-in', serverUrl: k.url, notice: 'Your session has ended. Sign in again.' });
    expect(await sessionTokenItem.getValue()).toBeNull();
  });

  it('reports a locked account with whom to ask', async () => {
    await k.call('/artifactory/api/security/userLockPolicy', {
      method: 'PUT',
      auth: { basic: [ADMIN.name, ADMIN.password] },
      json: { enabled: true, loginAttempts: 1 },
    });
    await k.advance(60_000);
    await signIn(deps(), k.url, 'wes', 'wrong-password');
    await k.advance(60_000);
    const view = await signIn(deps(), k.url, 'wes', 'wes-Password-1');
    expect(view).toMatchObject({ name: 'sign-in', error: expect.stringMatching(/locked.*administrator/) });
    await k.call('/artifactory/api/security/unlockAllUsers', { method: 'POST', auth: { basic: [ADMIN.name, ADMIN.password] } });
    await k.call('/artifactory/api/security/userLockPolicy', {
      method: 'PUT',
      auth: { basic: [ADMIN.name, ADMIN.password] },
      json: { enabled: false, loginAttempts: 5 },
    });
  });

  it('asks for a reset link with an answer that does not say whether the user exists', async () => {
    await connect(deps(), k.url);
    expect(await requestReset(deps(), k.url, '  ')).toMatchObject({ name: 'forgot', error: 'Enter your user name.' });
    const known = await requestReset(deps(), k.url, 'wes');
    const unknown = await requestReset(deps(), k.url, 'nobody');
    expect(known).toMatchObject({ name: 'sign-in', notice: expect.stringMatching(/If that user exists.*Check your mail/) });
    expect(unknown).toEqual(known);
  });

  it('turns an expired password into the change-password view, and signs in on the new one', async () => {
    await k.createUser('xena', 'xena-Password-1');
    await k.call('/artifactory/api/security/users/authorization/expirePassword/xena', { method: 'POST', auth: { basic: [ADMIN.name, ADMIN.password] } });
    await connect(deps(), k.url);
    const expired = await signIn(deps(), k.url, 'xena', 'xena-Password-1');
    expect(expired).toMatchObject({ name: 'expired', username: 'xena', error: expect.stringMatching(/expired/) });
    if (expired.name !== 'expired') throw new Error('not expired');
    const fields = { oldPassword: 'xena-Password-1', newPassword1: 'xena-Password-2', newPassword2: 'xena-Password-3' };
    expect(await renewExpiredPassword(deps(), expired, fields)).toMatchObject({ name: 'expired', error: 'The new passwords do not match.' });
    const weak = await renewExpiredPassword(deps(), expired, { ...fields, newPassword1: 'short', newPassword2: 'short' });
    expect(weak).toMatchObject({ name: 'expired', error: expect.stringMatching(/at least 8 characters/) });
    const done = await renewExpiredPassword(deps(), expired, { ...fields, newPassword2: 'xena-Password-2' });
    expect(done).toMatchObject({ name: 'unlocked', profile: { name: 'xena' } });
    expect(await sessionTokenItem.getValue()).toMatch(/^kfs_/);
  });

  it('signs out, forgetting the token even when the server is gone', async () => {
    await sessionTokenItem.setValue('kfs_whatever');
    expect(await signOut(deps(), 'http://127.0.0.1:9')).toEqual({ name: 'sign-in', serverUrl: 'http://127.0.0.1:9', notice: 'Signed out.' });
    expect(await sessionTokenItem.getValue()).toBeNull();
  });

  it('hands an OAuth sign-in to the background and says where to finish it; a background that cannot start it is said so', async () => {
    const asked: [string, string][] = [];
    const handing = { ...deps(), startOAuthSignIn: async (serverUrl: string, provider: string) => void asked.push([serverUrl, provider]) };
    expect(await signInWithOAuth(handing, k.url, { id: 'corp', name: 'Corp SSO' })).toEqual({
      name: 'sign-in',
      serverUrl: k.url,
      notice: 'Finish signing in with Corp SSO in the tab that opens, then open Keyfob again.',
    });
    expect(asked).toEqual([[k.url, 'corp']]);
    const failing = { ...deps(), startOAuthSignIn: () => Promise.reject(new KeyfobError('UNREACHABLE', `Can't reach Keyfob at ${k.url}`)) };
    expect(await signInWithOAuth(failing, k.url, { id: 'corp', name: 'Corp SSO' })).toMatchObject({
      name: 'sign-in',
      error: expect.stringMatching(/^Can't reach/),
    });
  });

  it('keeps the typed address across the permission prompt, and carries on once it is granted', async () => {
    // Chrome closes the popup while its prompt is up: the request never answers.
    const closed = connect({ ...deps(), requestOrigin: () => new Promise<boolean>(() => undefined) }, k.url.replace('http://', ''));
    await new Promise((resolve) => setTimeout(resolve, 50));
    void closed;
    expect(await draftServerUrlItem.getValue()).toBe(k.url);
    expect(await openPopup({ ...deps(), hasOrigin: async () => false })).toEqual({ name: 'setup', serverUrl: k.url });
    expect(await openPopup(deps())).toEqual({ name: 'sign-in', serverUrl: k.url });
    expect(await serverUrlItem.getValue()).toBe(k.url);
    expect(await draftServerUrlItem.getValue()).toBeNull();
  });

  it('asks once before a plain http:// server on another machine; loopback and https are not asked about', async () => {
    expect(isPlainHttpRemote('http://keyfob.corp:8787')).toBe(true);
    expect(isPlainHttpRemote('http://10.0.0.5')).toBe(true);
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787', 'https://keyfob.corp'])
      expect(isPlainHttpRemote(url)).toBe(false);
    let asked = 0;
    const counting = {
      ...deps(),
      requestOrigin: async () => {
        asked++;
        return false;
      },
    };
    expect(await connect(counting, 'keyfob.corp:8787')).toEqual({ name: 'setup', serverUrl: 'http://keyfob.corp:8787', plainHttp: true });
    expect(asked).toBe(0);
    expect(await connect(counting, 'http://keyfob.corp:8787', { allowPlainHttp: true })).toMatchObject({
      name: 'setup',
      error: expect.stringMatching(/permission/),
    });
    expect(asked).toBe(1);
  });

  it('keeps the session when the server is down as the popup opens', async () => {
    await serverUrlItem.setValue('http://127.0.0.1:9');
    await sessionTokenItem.setValue('kfs_kept');
    expect(await openPopup(deps())).toMatchObject({
      name: 'unreachable',
      serverUrl: 'http://127.0.0.1:9',
      error: expect.stringMatching(/^Can't reach Keyfob at http:\/\/127\.0\.0\.1:9\. Is the server running/),
    });
    expect(await sessionTokenItem.getValue()).toBe('kfs_kept');
  });

  it("generates, regenerates and revokes; a key revoked or made elsewhere shows the server's state", async () => {
    await connect(deps(), k.url);
    const start = await signIn(deps(), k.url, 'wes', 'wes-Password-1');
    if (start.name !== 'unlocked') throw new Error('not unlocked');
    const generated = await generateApiKey(deps(), start);
    expect(generated).toMatchObject({
      status: 'API key generated',
      revealed: { apiKey: expect.stringMatching(/^AKCp/) },
      view: { name: 'unlocked', profile: { apiKey: { masked: expect.any(String) } } },
    });
    const withKey = generated.view as Extract<View, { name: 'unlocked' }>;
    const regenerated = await regenerateApiKey(deps(), withKey);
    expect(regenerated.revealed?.apiKey).not.toBe(generated.revealed?.apiKey);
    // Revoked elsewhere: the reveal fails, and the view becomes the server's (no key), with the reason.
    await k.call('/artifactory/api/security/apiKey', { method: 'DELETE', auth: { basic: ['wes', 'wes-Password-1'] } });
    const error = await createKeyfobClient(k.url, await sessionTokenItem.getValue())
      .revealApiKey()
      .catch((e: unknown) => e);
    const gone = await revealFailed(deps(), withKey, error);
    expect(gone).toMatchObject({ name: 'unlocked', profile: { apiKey: null }, notice: expect.stringMatching(/revoked elsewhere/) });
    expect(gone).not.toHaveProperty('error', expect.anything());
    // Made elsewhere while this popup showed none: Generate shows the one that exists.
    await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['wes', 'wes-Password-1'] } });
    const conflict = await generateApiKey(deps(), gone as Extract<View, { name: 'unlocked' }>);
    expect(conflict).toMatchObject({ view: { profile: { apiKey: { masked: expect.any(String) } }, notice: expect.stringMatching(/already have an API key/) } });
    expect(conflict.revealed).toBeUndefined();
    const revoked = await revokeApiKey(deps(), conflict.view as Extract<View, { name: 'unlocked' }>);
    expect(revoked).toMatchObject({ status: 'API key revoked', view: { profile: { apiKey: null } } });
  });

  it('words failures for where they happen', async () => {
    expect(describeError(new KeyfobError('THROTTLED', 'x', 1)).message).toBe('Too many failed attempts. Try again in 1 second.');
    expect(describeError(new KeyfobError('RATE_LIMITED', 'x', 30)).message).toBe('Too many attempts from here. Try again in 30 seconds.');
    expect(describeError(new KeyfobError('BAD_CREDENTIALS', 'x'), 'unlock').message).toBe('Wrong password.');
    expect(describeError(new KeyfobError('CONFLICT', 'This SSH key is already registered')).message).toBe('This SSH key is already registered');
    expect(describeError(new KeyfobError('UNREACHABLE', "Can't reach Keyfob at http://x")).message).not.toMatch(/Settings/);
  });

  it('shows an unreachable server as such once signed in', async () => {
    const view = await recover(
      deps(),
      { name: 'unlocked', serverUrl: 'http://127.0.0.1:9', profile: {} as never },
      await createKeyfobClient('http://127.0.0.1:9', null)
        .profile()
        .catch((e) => e),
    );
    expect(view).toMatchObject({ name: 'unreachable', error: expect.stringMatching(/Can't reach Keyfob/) });
  });
});

describe('single sign-on through a proxy', () => {
  let k: RunningKeyfob;
  let proxy: import('node:http').Server;
  let proxyUrl = '';
  beforeAll(async () => {
    k = await startKeyfob({ HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '127.0.0.1,::ffff:127.0.0.1', HTTP_SSO_CREATE_USERS: 'true' });
    const { createServer, request } = await import('node:http');
    // A reverse proxy that has authenticated its user as "sam" and says so to Keyfob behind it.
    proxy = createServer((req, res) => {
      const upstream = request(
        `${k.url}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(k.url).host, 'remote-user': 'sam' } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => proxy.once('listening', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.close();
    await k.close();
  });
  beforeEach(() => fakeBrowser.reset());

  it('signs in through the proxy; without the admin flag the keys stay locked, with it they open', async () => {
    await connect(deps(), proxyUrl);
    expect(await createKeyfobClient(proxyUrl, null).authMethods()).toEqual({ password: true, httpSso: true });
    expect(await signInWithSso(deps(), proxyUrl)).toMatchObject({ name: 'locked', profile: { name: 'sam', realm: 'http-sso' } });
    await k.call('/artifactory/api/security/users/sam', { method: 'POST', auth: { basic: [ADMIN.name, ADMIN.password] }, json: { keysWithoutUnlock: true } });
    expect(await signInWithSso(deps(), proxyUrl)).toMatchObject({ name: 'unlocked', profile: { name: 'sam' } });
  });

  it('is refused when talking to Keyfob directly, past the proxy', async () => {
    expect(await signInWithSso(deps(), k.url)).toMatchObject({ name: 'sign-in', notice: expect.stringMatching(/Sign in again/) });
  });
});

describe('auto-lock and clipboard rules', () => {
  it('locks after the chosen idle time, never for "on browser restart"', () => {
    expect(idleExpired(0, '1', 59_999)).toBe(false);
    expect(idleExpired(0, '1', 60_000)).toBe(true);
    expect(idleExpired(0, '60', 59 * 60_000)).toBe(false);
    expect(idleExpired(0, 'restart', 10 ** 12)).toBe(false);
    expect(idleExpired(null, '1', 10 ** 12)).toBe(false);
  });

  /** A clipboard in memory: Node has no system clipboard (the e2e test uses Chromium's). */
  const memoryClipboard = (text: string | null) => {
    const state = { text, readable: text !== null };
    const io: ClipboardIo = {
      read: async () => (state.readable ? state.text : null),
      write: async (t) => {
        state.text = t;
      },
    };
    return { state, io };
  };

  it('clears only what Keyfob copied, and clears anyway when it cannot look', async () => {
    const secret = 'AKCpsecret';
    const same = memoryClipboard(secret);
    expect(await clearIfUnchanged(same.io, await sha256Hex(secret))).toBe('cleared');
    expect(same.state.text).toBe('');
    const changed = memoryClipboard('my own text');
    expect(await clearIfUnchanged(changed.io, await sha256Hex(secret))).toBe('left-alone');
    expect(changed.state.text).toBe('my own text');
    const unreadable = memoryClipboard(null);
    expect(await clearIfUnchanged(unreadable.io, await sha256Hex(secret))).toBe('cleared-unchecked');
    expect(unreadable.state.text).toBe('');
  });
});

describe('the auto-lock choice on the server', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_UNLOCK_MINUTES: '5', KEYFOB_UNLOCK_MAX_MINUTES: '30' });
    await k.createUser('ada', 'ada-Password-1');
  });
  afterAll(() => k.close());
  beforeEach(() => fakeBrowser.reset());

  it('holds past the default window while used, never past the maximum, and the locked view says the server ended it', async () => {
    await connect(deps(), k.url);
    await autoLockItem.setValue('15');
    const view = await signIn(deps(), k.url, 'ada', 'ada-Password-1');
    if (view.name !== 'unlocked') throw new Error(`not unlocked: ${view.name}`);
    expect(view.profile.unlockedUntil).toBe(new Date(k.now() + 15 * 60_000).toISOString());
    expect(lockNote(view.profile, '15')).toMatch(/^Locks after 15 minutes without use, and at .+ at the latest \(your server's limit\)\.$/);
    for (let i = 0; i < 2; i++) {
      await k.advance(10 * 60_000); // past the server's default five minutes, used each time
      expect(await openPopup(deps())).toMatchObject({ name: 'unlocked' });
    }
    await k.advance(11 * 60_000); // 31 minutes since the sign-in: the server's maximum has passed
    const locked = await openPopup(deps());
    expect(locked).toMatchObject({
      name: 'locked',
      notice: expect.stringMatching(/^Your Keyfob server ended the unlock at .+: it keeps one open 30 minutes at most\. /),
    });
    if (locked.name !== 'locked') throw new Error('not locked');
    // Unlocking again asks for the choice again: "when the browser restarts" is as long as the server allows.
    await autoLockItem.setValue('restart');
    const again = await unlock(deps(), locked, 'ada-Password-1');
    expect(again).toMatchObject({ name: 'unlocked', profile: { unlockedUntil: new Date(k.now() + 30 * 60_000).toISOString() } });
    if (again.name !== 'unlocked') throw new Error('not unlocked');
    expect(lockNote(again.profile, 'restart')).toMatch(/^Locks when the browser restarts, and at .+ at the latest/);
  });

  it('says nothing about the server when the user locked by hand', async () => {
    await connect(deps(), k.url);
    const view = await signIn(deps(), k.url, 'ada', 'ada-Password-1');
    if (view.name !== 'unlocked') throw new Error('not unlocked');
    expect(await lock(deps(), view)).toEqual({ name: 'locked', serverUrl: k.url, profile: expect.objectContaining({ unlocked: false, unlockEnded: null }) });
  });
});
