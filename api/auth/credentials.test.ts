import { describe, expect, it } from 'vitest';
import { parseCredential } from './credentials';

const headers = (init: Record<string, string>) => new Headers(init);
const basic = (s: string) => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;

describe('parseCredential', () => {
  it('reads each credential form', () => {
    expect(parseCredential(headers({}))).toEqual({ ok: true, value: { kind: 'none' } });
    expect(parseCredential(headers({ 'x-jfrog-art-api': ' AKCpkey ' }))).toEqual({ ok: true, value: { kind: 'apiKeyHeader', apiKey: 'AKCpkey' } });
    expect(parseCredential(headers({ authorization: basic('ann:pa:ss:word') }))).toEqual({
      ok: true,
      value: { kind: 'basic', username: 'ann', password: 'pa:ss:word' },
    });
    expect(parseCredential(headers({ authorization: 'bearer kfs_abc' }))).toEqual({ ok: true, value: { kind: 'bearer', token: 'kfs_abc' } });
    expect(parseCredential(headers({ authorization: basic('zoë:pässwörd') }))).toMatchObject({ value: { username: 'zoë', password: 'pässwörd' } });
  });

  it('prefers the API-key header when both are sent, as Artifactory does', () => {
    expect(parseCredential(headers({ 'X-JFrog-Art-Api': 'k', authorization: basic('a:b') }))).toMatchObject({ value: { kind: 'apiKeyHeader' } });
  });

  it.each([['Basic'], ['Basic %%%'], [basic('nocolon')], [basic(':nouser')], ['Basic //79/w=='], ['Bearer'], ['Digest abc'], [`Basic ${'A'.repeat(9000)}`]])(
    'refuses %s as BAD_CREDENTIALS',
    (authorization) => {
      expect(parseCredential(headers({ authorization }))).toMatchObject({ ok: false, code: 'BAD_CREDENTIALS' });
    },
  );
});
