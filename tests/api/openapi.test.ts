import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

describe('OpenAPI document and reference page', () => {
  let k: RunningKeyfob;
  beforeAll(async () => (k = await startKeyfob()));
  afterAll(() => k.close());

  const contract: [string, string][] = [
    ['post', '/artifactory/api/security/apiKey'],
    ['get', '/artifactory/api/security/apiKey'],
    ['put', '/artifactory/api/security/apiKey'],
    ['delete', '/artifactory/api/security/apiKey'],
    ['delete', '/artifactory/api/security/apiKey/{username}'],
    ['get', '/artifactory/api/security/encryptedPassword'],
    ['post', '/artifactory/api/security/users/authorization/changePassword'],
    ['post', '/artifactory/api/security/users/authorization/expirePassword/{userName}'],
    ['get', '/artifactory/api/security/users'],
    ['get', '/artifactory/api/security/users/{name}'],
    ['put', '/artifactory/api/security/users/{name}'],
    ['post', '/artifactory/api/security/users/{name}'],
    ['delete', '/artifactory/api/security/users/{name}'],
    ['post', '/artifactory/api/security/unlockUsers/{userName}'],
    ['post', '/artifactory/api/security/unlockUsers'],
    ['post', '/artifactory/api/security/unlockAllUsers'],
    ['get', '/artifactory/api/security/userLockPolicy'],
    ['put', '/artifactory/api/security/userLockPolicy'],
    ['get', '/artifactory/api/system/ping'],
    ['get', '/artifactory/api/system/version'],
    ['post', '/artifactory/api/system/usage'],
    ['get', '/artifactory/api/security/apiKey/{username}'],
    ['post', '/artifactory/api/security/users/authorization/expirePassword'],
    ['post', '/artifactory/api/security/users/authorization/expirePasswordForAllUsers'],
    ['post', '/artifactory/api/security/users/authorization/unexpirePassword/{userName}'],
    ['post', '/artifactory/api/security/users/authorization/unexpirePasswordForAllUsers'],
    ['get', '/artifactory/api/security/configuration/passwordExpirationPolicy'],
    ['put', '/artifactory/api/security/configuration/passwordExpirationPolicy'],
    ['get', '/artifactory/api/security/lockedUsers'],
    ['get', '/artifactory/api/security/groups'],
    ['get', '/artifactory/api/security/groups/{groupName}'],
    ['get', '/access/api/v1/system/ping'],
    ['get', '/access/api/v1/system/version'],
    ['post', '/api/v1/session'],
    ['delete', '/api/v1/session'],
    ['post', '/api/v1/session/unlock'],
    ['post', '/api/v1/session/lock'],
    ['get', '/api/v1/profile'],
    ['patch', '/api/v1/profile'],
    ['get', '/api/v1/profile/apiKey'],
    ['post', '/api/v1/profile/apiKey'],
    ['put', '/api/v1/profile/apiKey'],
    ['delete', '/api/v1/profile/apiKey'],
    ['get', '/api/v1/profile/encryptedPassword'],
  ];

  it('is OpenAPI 3.1 with every call, its security schemes and the shared schemas', async () => {
    const { status, json: doc } = await k.call('/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    for (const [method, path] of contract) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyHeader', 'basic', 'bearer']);
    expect(doc.components.securitySchemes.apiKeyHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-JFrog-Art-Api' });
    for (const name of ['User', 'ChangePassword', 'UserLockPolicy', 'Errors', 'Profile', 'Session']) expect(doc.components.schemas[name], name).toBeDefined();
    expect(doc.paths['/artifactory/api/system/ping'].get.security).toBeUndefined();
    expect(doc.paths['/artifactory/api/security/users/{name}'].put.parameters[0]).toMatchObject({ name: 'name', in: 'path', required: true });
  });

  it('renders a readable reference page with every call, offline', async () => {
    const page = await k.call('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    for (const [method, path] of contract) expect(page.text).toContain(`id="${method}${path}"`);
    expect(page.text).not.toMatch(/<script|https?:\/\/(?!127)/);
  });
});
