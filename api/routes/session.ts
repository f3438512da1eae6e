import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { AuthMethodsReply, InfoReply, SessionList, SessionReply, SignInRequest, UnlockReply, UnlockRequest } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { buildProfile } from '../domain/profile';
import { trustedSsoName } from '../domain/httpSso';
import { endOwnSession, listOwnSessions, lockSession, signIn, signInWithSso, signOut, unlockSession, type NewSession } from '../domain/sessions';
import { unwrap } from '../http/errors';
import { authErrors, json, jsonBody, sessionSecurity, routeGroup } from './openapi';

/** The answer to every way of signing in: the token, its expiry, and the profile as the session sees it. */
export async function sessionReply(deps: AppDeps, { token, session, user }: NewSession): Promise<SessionReply> {
  const profile = await buildProfile(deps, { user, via: 'session', session });
  return { token, expiresAt: new Date(session.expiresAt).toISOString(), profile };
}

/** Keyfob's sessions for the extension: sign in, unlock, lock, sign out. */
export function sessionRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['Session'] };
  const session = requireAuth(deps, { can: 'identify' });

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/session',
      summary: 'Sign in',
      description: 'Returns an opaque bearer token with an idle expiry. Signing in counts as an unlock (for `idleMinutes`, as in Unlock).',
      request: jsonBody(SignInRequest),
      responses: { 200: json(SessionReply, 'Signed in'), ...authErrors },
    }),
    async (c) => {
      const { username, password, idleMinutes } = c.req.valid('json');
      return c.json(await sessionReply(deps, unwrap(await signIn(deps, c.var.requestContext, username, password, idleMinutes))), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/authMethods',
      summary: 'How one may sign in here',
      description: 'Anonymous: lets the sign-in screen offer single sign-on where it is set up.',
      responses: { 200: json(AuthMethodsReply, 'The methods') },
    }),
    (c) => c.json({ password: true, httpSso: deps.settings.httpSso !== null }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/session/sso',
      summary: 'Sign in through HTTP SSO',
      description: "The trusted proxy's header names the user (realm http-sso); from any other address the header is ignored. Does not count as an unlock.",
      responses: { 200: json(SessionReply, 'Signed in'), ...authErrors },
    }),
    async (c) => {
      const name = trustedSsoName(deps.settings.httpSso, c.var.requestContext, c.req.raw.headers);
      return c.json(await sessionReply(deps, unwrap(await signInWithSso(deps, c.var.requestContext, name))), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/session',
      summary: 'Sign out',
      security: sessionSecurity,
      middleware: [requireAuth(deps, { can: 'identify', allowExpiredPassword: true })] as const,
      responses: { 200: json(InfoReply, 'Signed out'), ...authErrors },
    }),
    async (c) => {
      unwrap(await signOut(deps, c.var.requestContext, c.var.principal));
      return c.json({ info: 'Signed out' }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/session/unlock',
      summary: 'Unlock',
      description:
        "Re-entering the password lets the session see secrets until it goes unused for `idleMinutes` (the client's auto-lock; omitted, the server's default; null, as long as allowed), and never past the server's maximum (`unlockMaxMinutes` in the profile).",
      security: sessionSecurity,
      request: jsonBody(UnlockRequest),
      middleware: [session] as const,
      responses: { 200: json(UnlockReply, 'Unlocked'), ...authErrors },
    }),
    async (c) => {
      const { password, idleMinutes } = c.req.valid('json');
      const unlocked = unwrap(await unlockSession(deps, c.var.requestContext, c.var.principal, password, idleMinutes));
      const profile = await buildProfile(deps, { ...c.var.principal, session: unlocked });
      return c.json({ unlockedUntil: profile.unlockedUntil, profile }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/session/lock',
      summary: 'Lock',
      security: sessionSecurity,
      middleware: [session] as const,
      responses: { 200: json(UnlockReply, 'Locked'), ...authErrors },
    }),
    async (c) => {
      const locked = unwrap(await lockSession(deps, c.var.principal));
      const profile = await buildProfile(deps, { ...c.var.principal, session: locked });
      return c.json({ unlockedUntil: null, profile }, 200);
    },
  );

  const sessionsAccess = requireAuth(deps, { can: 'manageSessions' });
  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/sessions',
      summary: 'Your sessions',
      description: 'Keyfob: your browser sessions, where each began, when it was last used and from where. Needs your password or a fresh unlock.',
      security: sessionSecurity,
      middleware: [sessionsAccess] as const,
      responses: { 200: json(SessionList, 'Sessions, newest first'), ...authErrors },
    }),
    async (c) => c.json({ sessions: await listOwnSessions(deps, c.var.principal) }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/sessions/{id}',
      summary: 'End a session',
      description: 'Keyfob: ends one of your sessions at once (your current one too). Needs your password or a fresh unlock.',
      security: sessionSecurity,
      request: { params: z.object({ id: z.string().max(64) }) },
      middleware: [sessionsAccess] as const,
      responses: { 200: json(InfoReply, 'Ended'), ...authErrors },
    }),
    async (c) => {
      unwrap(await endOwnSession(deps, c.var.requestContext, c.var.principal, c.req.valid('param').id));
      return c.json({ info: 'The session has ended' }, 200);
    },
  );

  return app;
}
