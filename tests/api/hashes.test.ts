import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPbkdf2Hasher } from '../../api/crypto/pbkdf2';
import { webRandomBytes } from '../../api/domain/ports';
import { createArgon2Hasher } from '../../api/node/argon2';
import { startKeyfob, TEST_RUNTIME, type RunningKeyfob } from '../helpers/keyfob';

/** The format this runtime hashes in: Workers have no native argon2. */
const OWN_PREFIX = TEST_RUNTIME === 'workerd' ? '$pbkdf2-sha256$' : '$argon2id$';

describe('a password hashed on another runtime', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('uma', 'uma-Password-1');
  });
  afterAll(() => k.close());
  const storedHash = async () => (await k.sql("select password_hash as h from users where name_key = 'uma'"))[0]!.h as string;

  it('is hashed in the runtime’s own format', async () => {
    expect(await storedHash()).toMatch(new RegExp(`^${OWN_PREFIX.replace(/\$/g, '\\$')}`));
  });

  it.each([
    ['argon2id (Node, Bun, Deno)', () => createArgon2Hasher().hash('uma-Password-2')],
    ['PBKDF2 (Workers)', () => createPbkdf2Hasher(webRandomBytes).hash('uma-Password-2')],
  ])(
    'signs in with a hash made by %s, and is rehashed to the runtime’s own format',
    async (_, makeHash) => {
      const foreign = await makeHash();
      await k.sql("update users set password_hash = ? where name_key = 'uma'", [foreign]);
      await k.settle();
      const session = await k.call('/api/v1/session', { method: 'POST', json: { username: 'uma', password: 'uma-Password-2' } });
      expect(session.status).toBe(200);
      const now = await storedHash();
      expect(now.startsWith(OWN_PREFIX)).toBe(true);
      if (!foreign.startsWith(OWN_PREFIX)) expect(now).not.toBe(foreign);
      // The encrypted password is untouched by a rehash: the password did not change.
      expect((await k.call('/artifactory/api/system/version', { auth: { basic: ['uma', 'uma-Password-2'] } })).status).toBe(200);
    },
    60_000,
  );
});
