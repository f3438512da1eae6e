import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { UserCreateRequest, UserListReply, UserReply, UserUpdateRequest, userNameKey } from '../../shared/schemas';
import { authorize, requireAuth } from '../auth/credentials';
import type { Principal } from '../domain/credentials';
import { mayPerform } from '../domain/access';
import { passwordLocked } from '../domain/lockout';
import { passwordExpiredNow } from '../domain/passwordExpiry';
import type { AppDeps } from '../deps';
import { deleteUser, findUser, patchUser, putUser, toUserReply } from '../domain/users';
import { unwrap } from '../http/errors';
import { authErrors, conflict, credentialSecurity, json, jsonBody, notFound, text, routeGroup } from './openapi';

const NameParam = z.object({ name: z.string() });

/**
 * An admin's own password or e-mail, through the admin calls: the same rule as through the profile, so
 * an admin's leaked API key cannot take over the admin's own account either; and making an admin, or
 * changing another admin's password or e-mail, needs the password or an unlock (access.ts adminPowers).
 */
async function guardAdminPowers(
  deps: AppDeps,
  principal: Principal,
  pathName: string,
  body: { password?: string | null; email?: string | null; admin?: boolean | null },
) {
  const target = await deps.store.findUserByNameKey(userNameKey(pathName));
  const self = target?.id === principal.user.id;
  const grantsAdmin = body.admin === true && !target?.admin;
  const changesSignIn = (body.password ?? undefined) !== undefined || ((body.email ?? undefined) !== undefined && body.email !== target?.email);
  if (self && changesSignIn) authorize(deps, principal, 'changeOwnDetails');
  else if (grantsAdmin || (target?.admin && changesSignIn)) authorize(deps, principal, 'adminPowers');
}

/** Artifactory's user calls. Admin only, except that a user may read their own record. */
export function userRoutes(deps: AppDeps) {
  const app = routeGroup();
  const adminRead = requireAuth(deps, { can: 'adminRead' });
  const admin = requireAuth(deps, { can: 'adminChange' });
  const base = { tags: ['Users'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/users',
      summary: 'Get Users (admin)',
      middleware: [adminRead] as const,
      responses: { 200: json(UserListReply, 'Every user'), ...authErrors },
    }),
    async (c) => {
      // Links name the server by its public URL (or the address it listens on), never by the request's Host;
      // only a Worker without KEYFOB_PUBLIC_URL knows neither, and Cloudflare routes it only the names bound to it.
      const base = `${deps.settings.publicUrl ?? new URL(c.req.url).origin}/artifactory/api/security/users/`;
      const users = await deps.store.listUsers();
      return c.json(
        users.map((u) => ({ name: u.name, uri: base + encodeURIComponent(u.name), realm: u.realm })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/users/{name}',
      summary: 'Get User Details',
      request: { params: NameParam },
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
      responses: { 200: json(UserReply, 'The user, never the password'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const { user: actor } = c.var.principal;
      const name = c.req.valid('param').name;
      // Before the lookup: a non-admin learns nothing of other names, not even whether they exist.
      if (userNameKey(name) !== actor.nameKey) unwrap(mayPerform(c.var.principal, 'adminRead', deps.clock.now()));
      const target = unwrap(await findUser(deps, name));
      return c.json(toUserReply(target, { locked: await passwordLocked(deps, target), passwordExpired: await passwordExpiredNow(deps, target) }), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/security/users/{name}',
      summary: 'Create or Replace User (admin)',
      description: 'Missing fields take defaults; on an existing user, a missing password keeps the current one.',
      request: { params: NameParam, ...jsonBody(UserCreateRequest) },
      middleware: [admin] as const,
      responses: { 201: text('Created or replaced'), ...authErrors, ...conflict },
    }),
    async (c) => {
      await guardAdminPowers(deps, c.var.principal, c.req.valid('param').name, c.req.valid('json'));
      const { user, created } = unwrap(await putUser(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').name, c.req.valid('json')));
      return c.text(`User '${user.name}' has been ${created ? 'created' : 'replaced'} successfully.`, 201);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/{name}',
      summary: 'Update User (admin)',
      request: { params: NameParam, ...jsonBody(UserUpdateRequest) },
      middleware: [admin] as const,
      responses: { 200: text('Updated'), ...authErrors, ...notFound },
    }),
    async (c) => {
      await guardAdminPowers(deps, c.var.principal, c.req.valid('param').name, c.req.valid('json'));
      const user = unwrap(await patchUser(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').name, c.req.valid('json')));
      return c.text(`User '${user.name}' has been updated successfully.`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/security/users/{name}',
      summary: 'Delete User (admin)',
      request: { params: NameParam },
      middleware: [admin] as const,
      responses: { 200: text('Removed'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await deleteUser(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').name));
      return c.text(`User '${user.name}' has been removed successfully.`, 200);
    },
  );

  return app;
}
