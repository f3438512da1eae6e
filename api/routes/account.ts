import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import {
  ActivityReply,
  ExpiredPasswordSignInRequest,
  InfoReply,
  PasswordPolicyReply,
  PasswordResetCompletion,
  PasswordResetRequest,
  ProfilePasswordRequest,
  ProfileReply,
  SessionReply,
} from '../../shared/schemas';
import { requireAuth, type AppEnv } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { MAX_ACTIVITY, recentActivity } from '../domain/activity';
import { admitResetRequest, completeReset, processResetRequest, RESET_REQUESTED_MESSAGE } from '../domain/passwordReset';
import { changePassword } from '../domain/passwords';
import { buildProfile } from '../domain/profile';
import { changePasswordAndSignIn } from '../domain/sessions';
import { findUser } from '../domain/users';
import { sessionReply } from './session';
import { unwrap } from '../http/errors';
import { authErrors, credentialSecurity, json, jsonBody, notFound, routeGroup, sessionSecurity } from './openapi';

/**
 * Runs `task` after the answer is sent: on Workers through waitUntil, elsewhere as a detached promise.
 * Failures are logged by name only.
 */
function afterResponse(c: Context<AppEnv>, deps: AppDeps, what: string, task: () => Promise<unknown>) {
  const run = Promise.resolve()
    .then(task)
    .catch((err) => deps.log(`error: ${what} failed (${(err as Error)?.name ?? 'error'})`));
  try {
    c.executionCtx.waitUntil(run);
  } catch {
    // No execution context outside Workers: the promise runs on by itself.
  }
}

/** Password changes, forgotten passwords, and recent activity. */
export function accountRoutes(deps: AppDeps) {
  const app = routeGroup();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/passwordPolicy',
      tags: ['Account'],
      summary: 'Password policy',
      description: 'Anonymous, so sign-in and reset screens can show the rules before anyone is signed in.',
      responses: { 200: json(PasswordPolicyReply, 'The policy') },
    }),
    (c) => c.json(deps.settings.passwordPolicy, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/profile/password',
      tags: ['Account'],
      security: sessionSecurity,
      summary: 'Change your password',
      description: 'Keeps the API key, kills the old encrypted password, and ends your other sessions (this one stays). Users of external realms get 403.',
      request: jsonBody(ProfilePasswordRequest),
      middleware: [requireAuth(deps, { can: 'changeOwnPassword', allowExpiredPassword: true })] as const,
      responses: { 200: json(ProfileReply, 'The profile now'), ...authErrors },
    }),
    async (c) => {
      const { principal } = c.var;
      const body = c.req.valid('json');
      const user = unwrap(await changePassword(deps, c.var.requestContext, principal, { ...body, userName: principal.user.name }));
      return c.json(await buildProfile(deps, principal, user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/session/password',
      tags: ['Session'],
      summary: 'Change password and sign in',
      description: 'For a password that has expired (sign-in answers PASSWORD_EXPIRED): the old password, the new one twice; a session on the new one.',
      request: jsonBody(ExpiredPasswordSignInRequest),
      responses: { 200: json(SessionReply, 'Changed and signed in'), ...authErrors },
    }),
    async (c) => {
      return c.json(await sessionReply(deps, unwrap(await changePasswordAndSignIn(deps, c.var.requestContext, c.req.valid('json')))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/passwordReset',
      tags: ['Account'],
      summary: 'Forgot password: mail a reset link',
      description:
        'The answer is the same, in status, body and time, whether or not the user exists; the work is done after it. Limited per user name and per client address (429).',
      request: jsonBody(PasswordResetRequest),
      responses: { 202: json(InfoReply, 'Accepted'), 400: authErrors[400], 429: json(InfoReply, 'Too many requests from this address') },
    }),
    async (c) => {
      const { requestContext } = c.var;
      unwrap(await admitResetRequest(deps, requestContext));
      const { username } = c.req.valid('json');
      afterResponse(c, deps, 'password reset request', async () => {
        const baseUrl = deps.settings.publicUrl;
        // Never the request's Host header: an attacker could have the victim mailed a link to their own site.
        if (!baseUrl) return deps.log('warning: a password reset was asked for, but KEYFOB_PUBLIC_URL is not set: no link can be made');
        await processResetRequest(deps, requestContext, username, baseUrl);
        deps.afterMailQueued?.();
      });
      return c.json({ info: RESET_REQUESTED_MESSAGE }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/passwordReset/complete',
      tags: ['Account'],
      summary: 'Set a new password through a reset link',
      description: 'Single use. Keeps the API key, ends every session, and clears failed sign-ins (an admin lock stays).',
      request: jsonBody(PasswordResetCompletion),
      responses: { 200: json(InfoReply, 'Changed'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await completeReset(deps, c.var.requestContext, c.req.valid('json')));
      return c.json({ info: `The password of '${user.name}' has been changed: sign in with it` }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/profile/activity',
      tags: ['Account'],
      security: sessionSecurity,
      summary: 'Your recent security events',
      description: 'The last ten: sign-ins (and failed ones), unlocks, key and password changes, resets, email changes.',
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
      responses: { 200: json(ActivityReply, 'Newest first'), ...authErrors },
    }),
    async (c) => c.json({ events: await recentActivity(deps, c.var.principal.user) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{name}/activity',
      tags: ['Account'],
      security: credentialSecurity,
      summary: "A user's security events (admin)",
      request: {
        params: z.object({
          name: z
            .string()
            .max(256)
            .meta({ param: { name: 'name', in: 'path' } }),
        }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(MAX_ACTIVITY).optional() }),
      },
      middleware: [requireAuth(deps, { can: 'adminRead' })] as const,
      responses: { 200: json(ActivityReply, 'Newest first'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await findUser(deps, c.req.valid('param').name));
      return c.json({ events: await recentActivity(deps, user, c.req.valid('query').limit ?? 50) }, 200);
    },
  );

  return app;
}
