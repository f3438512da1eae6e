/**
 * A real OpenID Connect provider for tests: the `oidc-provider` package on 127.0.0.1, with its
 * development sign-in pages (any login name and password), one confidential client for Keyfob, and
 * identities `NAME` with the verified email `NAME@corp.test` and the preferred_username `NAME`, unless
 * `accounts` says otherwise for that login (a claim set to undefined is left out).
 */
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Page } from 'puppeteer-core';

export const OIDC_CLIENT = { id: 'keyfob', secret: 'keyfob-client-secret-0123456789' };

export interface RunningOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

/** Claims that differ from the defaults, by login name. */
export type AccountClaims = Record<string, Partial<Record<'email' | 'email_verified' | 'preferred_username' | 'hd', string | boolean | undefined>>>;

export async function startOidcProvider(port: number, redirectUri: string, accounts: AccountClaims = {}): Promise<RunningOidcProvider> {
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
      const claims = { sub: id, email: `${id}@corp.test`, email_verified: true, preferred_username: id, ...accounts[id] };
      return { accountId: id, claims: async () => Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)) as { sub: string } };
    },
    // `hd` as Google sends it for a Workspace account.
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'hd'] },
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

/** At the provider's development pages already open in `page`: signs in as `login` (when asked) and
 * consents (when asked), until the provider sends the tab back to Keyfob. */
export async function approveAtProvider(page: Page, login: string): Promise<void> {
  if (await page.$('input[name=login]')) {
    await page.type('input[name=login]', login);
    await page.type('input[name=password]', 'any-password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
  if (await page.$('input[name=prompt][value=consent]')) {
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
}

/** Signs in and consents at the provider, and returns what Keyfob's page (finished, or an error) says. */
export async function finishAtProvider(page: Page, login: string): Promise<string> {
  await approveAtProvider(page, login);
  await page.waitForSelector('#result');
  return page.$eval('#result', (el) => el.textContent ?? '');
}

/** The completion code in the URL of Keyfob's finished page, where `page` is. */
export const completionCode = (page: Page) => new URL(page.url()).searchParams.get('code') ?? '';

/** Opens the authorization URL and finishes there as `login`. */
export async function signInAtProvider(page: Page, authorizationUrl: string, login: string): Promise<string> {
  await page.goto(authorizationUrl);
  return finishAtProvider(page, login);
}
