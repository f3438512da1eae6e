import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ErrorReply, GroupListReply, GroupReply } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { findGroup, listGroups, wantsUsers } from '../domain/groups';
import { httpError, unwrap } from '../http/errors';
import { authErrors, credentialSecurity, json, notFound, routeGroup } from './openapi';

const NameParam = z.object({ groupName: z.string() });

/** Artifactory's group reads, answered from the groups users carry (domain/groups.ts). */
export function groupRoutes(deps: AppDeps) {
  const app = routeGroup();
  const adminRead = requireAuth(deps, { can: 'adminRead' });
  const base = { tags: ['Groups'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/groups',
      summary: 'Get Groups (admin)',
      description: 'Every group some user is in.',
      middleware: [adminRead] as const,
      responses: { 200: json(GroupListReply, 'The groups'), ...authErrors },
    }),
    async (c) => {
      // As for users: links name the server by its public URL, never by the request's Host.
      const base = `${deps.settings.publicUrl ?? new URL(c.req.url).origin}/artifactory/api/security/groups/`;
      return c.json(
        (await listGroups(deps)).map((name) => ({ name, uri: base + encodeURIComponent(name) })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/groups/{groupName}',
      summary: 'Get Group Details (admin)',
      description: 'With `includeUsers=true`, its members in `userNames`. 404 when no user is in it.',
      request: { params: NameParam, query: z.object({ includeUsers: z.string().optional() }) },
      middleware: [adminRead] as const,
      responses: { 200: json(GroupReply, 'The group'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const group = unwrap(await findGroup(deps, c.req.valid('param').groupName, wantsUsers(c.req.valid('query').includeUsers)));
      return c.json(group, 200);
    },
  );

  for (const method of ['put', 'post', 'delete'] as const) {
    app.openapi(
      createRoute({
        ...base,
        method,
        path: '/security/groups/{groupName}',
        summary: `${method === 'put' ? 'Create or Replace' : method === 'post' ? 'Update' : 'Delete'} Group (not supported: 501)`,
        description: "Keyfob's groups are the names users carry: set a user's `groups` instead.",
        request: { params: NameParam },
        middleware: [adminRead] as const,
        responses: { 501: json(ErrorReply, 'Not supported'), ...authErrors },
      }),
      () => {
        throw httpError(
          'NOT_IMPLEMENTED',
          "Keyfob keeps no group records: a group is the name users carry in their 'groups'. Change users (POST /security/users/{name}) to change a group's members",
        );
      },
    );
  }

  return app;
}
