/**
 * jfrog-client-js 2.9.0, JFrog's own npm client, driven for real against Keyfob: it builds
 * `platformUrl + 'artifactory/'`, pings without credentials, asks the version with Basic (or Bearer),
 * and reports usage. Its checks are asserted: `ping()` is `data === 'OK'` to its callers, `version()`
 * must carry `version` and `revision`, `reportUsage()` succeeds with an empty body.
 */
import { JfrogClient } from 'jfrog-client-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../helpers/keyfob';

const quiet = { debug: () => {}, warn: () => {}, error: () => {} };

describe('jfrog-client-js 2.9.0', () => {
  let k: RunningKeyfob;
  beforeAll(async () => (k = await startKeyfob()));
  afterAll(() => k.close());

  // retries: 0, or a failure takes minutes of its back-off.
  const client = (auth: { username?: string; password?: string; accessToken?: string }) =>
    new JfrogClient({ platformUrl: `${k.url}/`, ...auth, retries: 0, timeout: 10_000, logger: quiet }).artifactory().system();

  it('ping() without credentials answers OK', async () => {
    expect(await client({}).ping()).toBe('OK');
  });

  it('version() with Basic credentials gives a version and a revision', async () => {
    const version = await client({ username: ADMIN.name, password: ADMIN.password }).version();
    expect(version.version).toBeTruthy();
    expect(version.revision).toBeTruthy();
  });

  it('version() with an access token (here a Keyfob session, sent as Bearer) works too', async () => {
    const token = (await k.call('/api/v1/session', { method: 'POST', json: { username: ADMIN.name, password: ADMIN.password } })).json.token;
    const version = await client({ accessToken: token }).version();
    expect(version.version).toBe('0.1.0');
  });

  it('version() with a wrong password is refused (the client rejects)', async () => {
    await expect(client({ username: ADMIN.name, password: 'not-the-password' }).version()).rejects.toThrow(/401/);
  });

  it('reportUsage() succeeds and its data is empty', async () => {
    const data = await client({ username: ADMIN.name, password: ADMIN.password }).reportUsage('jfrog-vscode-extension/2.0.0', [{ featureId: 'scan' }]);
    expect(data).toBeFalsy();
  });
});
