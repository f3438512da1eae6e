import { createRoute } from '@hono/zod-openapi';
import {
  EmailUpdateRequest,
  NotificationsUpdateRequest,
  ProfileReply,
  RegenerateApiKeyRequest,
  RevealedApiKey,
  RevealedEncryptedPassword,
} from '../../shared/schemas';
import { requireAuth, type AppEnv } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { type ApiKeyInClear, createApiKey, endApiKeyOverlap, readApiKey, regenerateApiKey, revokeApiKey, summariseApiKey } from '../domain/apiKeys';
import { buildProfile, revealEncryptedPassword, setInformationalMail, updateEmail } from '../domain/profile';
import { httpError, unwrap } from '../http/errors';
import { authErrors, conflict, json, jsonBody, notFound, sessionSecurity, routeGroup } from './openapi';

/** The profile for the extension: what it shows, the secrets it reveals after unlock, and key actions. */
export function profileRoutes(deps: AppDeps) {
  const app = routeGroup();
  const signedIn = requireAuth(deps, { can: 'readProfile' });
  const secrets = requireAuth(deps, { can: 'revealSecrets' });
  const manageKey = requireAuth(deps, { can: 'manageApiKey' });
  const changeDetails = requireAuth(deps, { can: 'changeOwnDetails' });
  const revealEncrypted = requireAuth(deps, { can: 'revealEncryptedPassword' });
  const chooseMail = requireAuth(deps, { can: 'chooseMail' });
  const base = { tags: ['Profile'], security: sessionSecurity };

  const shown = (key: ApiKeyInClear) => ({ apiKey: key.apiKey, summary: summariseApiKey(key.apiKey, key.record, deps.clock.now()) });
  const revealed = async (c: { var: AppEnv['Variables'] }) => {
    const key = await readApiKey(deps, c.var.principal.user);
    if (!key) throw httpError('NOT_FOUND', 'You have no API key: generate one');
    return shown(key);
  };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile',
      summary: 'Profile',
      description: 'Name, email, realm, flags, and the API key masked (first four and last four characters).',
      middleware: [signedIn] as const,
      responses: { 200: json(ProfileReply, 'The profile'), ...authErrors },
    }),
    async (c) => c.json(await buildProfile(deps, c.var.principal), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'patch',
      path: '/profile',
      summary: 'Update email',
      request: jsonBody(EmailUpdateRequest),
      middleware: [changeDetails] as const,
      responses: { 200: json(ProfileReply, 'The profile now'), ...authErrors },
    }),
    async (c) => {
      const user = unwrap(await updateEmail(deps, c.var.requestContext, c.var.principal.user, c.req.valid('json').email));
      return c.json(await buildProfile(deps, c.var.principal, user), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/profile/notifications',
      summary: 'Choose informational mail',
      description:
        'With `informational` false, no expiry reminders are mailed (for the password under the expiration policy, and for access tokens). Mail about security (a change by someone else, a leaked credential) always goes. Any credential of the user may choose.',
      request: jsonBody(NotificationsUpdateRequest),
      middleware: [chooseMail] as const,
      responses: { 200: json(ProfileReply, 'The profile now'), ...authErrors },
    }),
    async (c) => {
      const user = unwrap(await setInformationalMail(deps, c.var.requestContext, c.var.principal.user, c.req.valid('json').informational));
      return c.json(await buildProfile(deps, c.var.principal, user), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/apiKey',
      summary: 'Reveal API key',
      middleware: [secrets] as const,
      responses: { 200: json(RevealedApiKey, 'The key in clear'), ...authErrors, ...notFound },
    }),
    async (c) => c.json(await revealed(c), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/profile/apiKey',
      summary: 'Generate API key',
      middleware: [manageKey] as const,
      responses: { 200: json(RevealedApiKey, 'The new key'), ...authErrors, ...conflict },
    }),
    async (c) => c.json(shown(unwrap(await createApiKey(deps, c.var.requestContext, c.var.principal.user))), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/profile/apiKey',
      summary: 'Regenerate API key',
      description:
        "Without a body, or with `overlapSeconds` 0, the old key is refused from the next request on. With `overlapSeconds`, it keeps working that long beside the new one (at most the server's KEYFOB_API_KEY_OVERLAP_MAX_HOURS), shown in the summary as `previous`; an older key still overlapping ends now.",
      request: { body: { content: { 'application/json': { schema: RegenerateApiKeyRequest } }, required: false } },
      middleware: [manageKey] as const,
      responses: { 200: json(RevealedApiKey, 'The new key'), ...authErrors },
    }),
    async (c) => {
      // The body is optional: without one (or without a JSON content type) nothing was validated or sent.
      const overlapSeconds = (c.req.valid('json') as RegenerateApiKeyRequest | undefined)?.overlapSeconds ?? 0;
      return c.json(shown(unwrap(await regenerateApiKey(deps, c.var.requestContext, c.var.principal.user, overlapSeconds * 1000))), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/profile/apiKey/previous',
      summary: 'End the old API key now',
      description: 'The key replaced by a regenerate with an overlap is refused from the next request on; 404 when none is working.',
      middleware: [manageKey] as const,
      responses: { 200: json(ProfileReply, 'The profile now'), ...authErrors, ...notFound },
    }),
    async (c) => {
      unwrap(await endApiKeyOverlap(deps, c.var.requestContext, c.var.principal.user));
      return c.json(await buildProfile(deps, c.var.principal), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/profile/apiKey',
      summary: 'Revoke API key',
      middleware: [manageKey] as const,
      responses: { 200: json(ProfileReply, 'The profile now'), ...authErrors },
    }),
    async (c) => {
      const { user } = c.var.principal;
      await revokeApiKey(deps, c.var.requestContext, user, user);
      return c.json(await buildProfile(deps, c.var.principal), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/encryptedPassword',
      summary: 'Reveal encrypted password',
      middleware: [revealEncrypted] as const,
      responses: { 200: json(RevealedEncryptedPassword, 'The encrypted password'), ...authErrors, ...notFound },
    }),
    (c) => c.json({ encryptedPassword: unwrap(revealEncryptedPassword(deps, c.var.principal.user)) }, 200),
  );

  return app;
}
