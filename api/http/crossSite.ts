/**
 * Refusing state-changing calls that a page of another site makes the browser send (CSRF). The browser
 * adds credentials the page never saw: Basic credentials it cached for Keyfob, or the cookie of an SSO proxy
 * in front of it that then sets the trusted user header. An empty-body or form POST needs no CORS preflight,
 * so without this such a page could expire passwords, unlock users or create keys in an admin's name.
 */
import type { MiddlewareHandler } from 'hono';
import { API_KEY_HEADER } from '../auth/credentials';
import { httpError } from './errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Only an extension's own pages and service worker send these origins, and a page cannot forge Origin.
// With host permission for Keyfob, Chromium then sends Sec-Fetch-Site: none and Firefox same-origin;
// without it, cross-site, which is refused below like any other site's request.
const EXTENSION_ORIGIN = /^(?:chrome-extension|moz-extension|safari-web-extension):\/\/[^/]+$/;
const BEARER = /^\s*bearer\s/i;

export interface CrossSiteOptions {
  /** Keyfob's own origins besides the one the request came to: the public URL's, the listen address's. */
  ownOrigins: () => (string | null)[];
  /** Paths posted cross-site by design (SAML's assertion consumer, posted by the identity provider). */
  exempt: string[];
}

/**
 * Whether the browser would have added this request's credentials by itself. A Bearer token or an API key
 * header is set by the caller's own code, which a page of another site cannot do without a CORS preflight
 * that Keyfob never grants; Basic (cached by the browser) and the SSO proxy's header are ambient.
 */
export function carriesOwnCredential(headers: Headers): boolean {
  return headers.has(API_KEY_HEADER) || BEARER.test(headers.get('authorization') ?? '');
}

const originOf = (url: string | null) => {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * Middleware factory: 403 for a state-changing request with `Sec-Fetch-Site: cross-site` or `same-site`, or
 * with an `Origin` that is not Keyfob's own (nor a browser extension's). Scripts send neither header and
 * pass; so does a request that carries its own credential (see carriesOwnCredential).
 */
export function refuseCrossSite(options: CrossSiteOptions): MiddlewareHandler {
  const exempt = new Set(options.exempt);
  return async function crossSiteGuard(c, next) {
    if (!STATE_CHANGING.has(c.req.method) || exempt.has(c.req.path)) return next();
    const headers = c.req.raw.headers;
    if (carriesOwnCredential(headers)) return next();
    const site = headers.get('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') {
      throw httpError(
        'CROSS_SITE',
        'Refused: a page of another site asked your browser to make this change. Make it from Keyfob itself, the extension, or a script',
      );
    }
    const origin = headers.get('origin');
    if (origin !== null && !EXTENSION_ORIGIN.test(origin)) {
      const own = [originOf(c.req.url), ...options.ownOrigins().map(originOf)];
      if (!own.includes(origin)) {
        throw httpError('CROSS_SITE', 'Refused: this change comes from a page of another origin. Make it from Keyfob itself, the extension, or a script');
      }
    }
    await next();
  };
}
