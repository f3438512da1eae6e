/** OAUTH_PROVIDERS, read through its zod schema: each field's problem named, the secret never echoed. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const load = (providers: unknown) => loadConfig({ KEYFOB_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), OAUTH_PROVIDERS: JSON.stringify(providers) });
const problem = (providers: unknown) => {
  try {
    load(providers);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};
const corp = { id: 'corp', name: 'Corp SSO', issuer: 'https://sso.corp.example', clientId: 'keyfob', clientSecret: 'very-secret-value' };

describe('OAUTH_PROVIDERS', () => {
  it('reads a generic provider and a preset, with the defaults filled in', () => {
    const config = load([corp, { id: 'google', clientId: 'g', clientSecret: 's', hostedDomain: 'Corp.Example', createUsers: true }]);
    expect(config.oauthProviders).toEqual([
      { ...corp, type: 'oidc', createUsers: false, allowedDomains: [], hostedDomain: null },
      expect.objectContaining({ id: 'google', name: 'Google', issuer: 'https://accounts.google.com', createUsers: true, hostedDomain: 'corp.example' }),
    ]);
  });

  it('names the field that is wrong, and never quotes the secret', () => {
    expect(problem([{ ...corp, id: 'Bad Id' }])).toBe('OAUTH_PROVIDERS[0].id must be 1 to 32 of a-z, 0-9 and - (and not saml)');
    expect(problem([{ ...corp, id: 'saml' }])).toContain('.id must be');
    expect(problem([{ ...corp, type: 'saml' }])).toBe('OAUTH_PROVIDERS[0].type must be oidc (the default) or github-enterprise');
    expect(problem([{ ...corp, issuer: 'sso.corp.example' }])).toContain('OAUTH_PROVIDERS[0].issuer must be');
    expect(problem([{ ...corp, issuer: undefined }])).toContain('OAUTH_PROVIDERS[0].issuer must be');
    expect(problem([{ ...corp, clientSecret: '' }])).toBe('OAUTH_PROVIDERS[0].clientSecret is required');
    expect(problem([{ ...corp, createUsers: 'yes' }])).toBe('OAUTH_PROVIDERS[0].createUsers must be true or false');
    expect(problem([{ ...corp, allowedDomains: [] }])).toContain('.allowedDomains must be a non-empty list');
    expect(problem([corp, { ...corp, clientId: 'other' }])).toBe("OAUTH_PROVIDERS[1].id 'corp' is used twice");
    expect(problem([null])).toBe('OAUTH_PROVIDERS[0] must be an object');
    const secret = problem([{ ...corp, clientSecret: 42, clientId: 'very-secret-value' }]);
    expect(secret).not.toContain('very-secret-value');
    expect(problem({ not: 'a list' })).toBe('OAUTH_PROVIDERS must be a JSON array of providers');
  });
});
