/**
 * A real OpenID Connect provider for tests: the `oidc-provider` package on 127.0.0.1, with its
 * development sign-in pages (any login name and password), one confidential client for Keyfob, and
 * identities `NAME` with the email `NAME@corp.test`.
 */
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Page } from 'puppeteer-core';

export const OIDC_CLIENT = { id: 'keyfob', secret: 'keyfob-client-secret-0123456789' };

export interface RunningOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

export async function startOidcProvider(port: number, redirectUri: string): Promise<RunningOidcProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, email: `${id}@corp.test`, email_verified: true, preferred_username: id }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    // Claims in the ID token itself, which is all Keyfob reads.
    conformIdTokenClaims: false,
    cookies: { keys: ['keyfob-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** At the provider's development pages already open in `page`: signs in as `login` (when asked), consents
 * (when asked), and returns what Keyfob's callback page says. */
export async function finishAtProvider(page: Page, login: string): Promise<string> {
  if (await page.$('input[name=login]')) {
    await page.type('input[name=login]', login);
    await page.type('input[name=password]', 'any-password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
  if (await page.$('input[name=prompt][value=consent]')) {
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
  await page.waitForSelector('#result');
  return page.$eval('#result', (el) => el.textContent ?? '');
}

/** Opens the authorization URL and finishes there as `login`. */
export async function signInAtProvider(page: Page, authorizationUrl: string, login: string): Promise<string> {
  await page.goto(authorizationUrl);
  return finishAtProvider(page, login);
}
