import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { UserCreateRequest, UserListReply, UserReply, UserUpdateRequest } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { deleteUser, findUser, patchUser, putUser, toUserReply } from '../domain/users';
import { httpError, unwrap } from '../http/errors';
import { authErrors, conflict, credentialSecurity, json, jsonBody, notFound, text, routeGroup } from './openapi';

const NameParam = z.object({ name: z.string() });

/** Artifactory's user calls. Admin only, except that a user may read their own record. */
export function userRoutes(deps: AppDeps) {
  const app = routeGroup();
  const admin = requireAuth(deps, { admin: true });
  const base = { tags: ['Users'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/users',
      summary: 'Get Users (admin)',
      middleware: [admin] as const,
      responses: { 200: json(UserListReply, 'Every user'), ...authErrors },
    }),
    async (c) => {
      const base = new URL('/artifactory/api/security/users/', c.req.url).href;
      const users = await deps.store.listUsers();
      return c.json(users.map((u) => ({ name: u.name, uri: base + encodeURIComponent(u.name), realm: u.realm })), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/users/{name}',
      summary: 'Get User Details',
      request: { params: NameParam },
      middleware: [requireAuth(deps)] as const,
      responses: { 200: json(UserReply, 'The user, never the password'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const { user: actor } = c.var.principal;
      const target = unwrap(await findUser(deps, c.req.valid('param').name));
      if (!actor.admin && target.id !== actor.id) throw httpError('FORBIDDEN', 'Only an administrator may read other users');
      return c.json(toUserReply(target), 200);
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
      const { user, created } = unwrap(
        await putUser(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').name, c.req.valid('json')),
      );
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
      const user = unwrap(
        await patchUser(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').name, c.req.valid('json')),
      );
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
