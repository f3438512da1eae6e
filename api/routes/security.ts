import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  ChangePasswordRequest,
  LockedUsersReply,
  LockPolicy,
  PasswordExpirationPolicy,
  PasswordExpirationPolicyChange,
  UserNameList,
} from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import { deriveEncryptedApiKey, deriveEncryptedPassword } from '../crypto/secrets';
import type { AppDeps } from '../deps';
import { getLockPolicy, listLockedUsers, setLockPolicy } from '../domain/lockout';
import { getPasswordExpirationPolicy, setPasswordExpirationPolicy, setPasswordExpired, setPasswordsExpired } from '../domain/passwordExpiry';
import { changePassword } from '../domain/passwords';
import { unlockUsers } from '../domain/users';
import { httpError, unwrap } from '../http/errors';
import { authErrors, credentialSecurity, json, jsonBody, notFound, text, routeGroup } from './openapi';

/** Artifactory's password, expiry, lock and policy calls. */
export function securityRoutes(deps: AppDeps) {
  const app = routeGroup();
  const adminRead = requireAuth(deps, { can: 'adminRead' });
  const admin = requireAuth(deps, { can: 'adminChange' });
  const base = { tags: ['Security'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/encryptedPassword',
      summary: 'Get User Encrypted Password',
      description: 'Authenticated with the clear-text password: the encrypted password (`AP1…`). With an API key: the encrypted form of the key (`AP2…`).',
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
      responses: { 200: text('The encrypted password'), ...authErrors },
    }),
    (c) => {
      const { user, via, apiKey } = c.var.principal;
      if (via === 'password') return c.text(deriveEncryptedPassword(deps.keys, user.id, user.passwordStamp), 200);
      if (via === 'apiKey' && apiKey) return c.text(deriveEncryptedApiKey(deps.keys, user.id, apiKey.lookupHash), 200);
      throw httpError('FORBIDDEN', 'Ask for the encrypted password with your clear-text password (or your API key)');
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/changePassword',
      summary: 'Change Password',
      description: "A user changes their own (giving `oldPassword`); an admin anyone's.",
      request: jsonBody(ChangePasswordRequest),
      middleware: [requireAuth(deps, { can: 'changeOwnPassword', allowExpiredPassword: true })] as const,
      responses: { 200: text('Changed'), ...authErrors, ...notFound },
    }),
    async (c) => {
      unwrap(await changePassword(deps, c.var.requestContext, c.var.principal, c.req.valid('json')));
      return c.text('Password has been successfully changed', 200);
    },
  );

  const UserNameParam = { params: z.object({ userName: z.string() }) };

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/expirePassword/{userName}',
      summary: 'Expire Password for a Single User (admin)',
      description: 'Basic with the password, AP1 and sessions get 403 `PASSWORD_EXPIRED` until it is changed; API keys keep working.',
      request: UserNameParam,
      middleware: [admin] as const,
      responses: { 200: text('Expired'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await setPasswordExpired(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').userName, true));
      return c.text(`The password of user '${user.name}' has expired`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/expirePassword',
      summary: 'Expire Password for Multiple Users (admin)',
      description: 'A JSON array of user names; names nobody has, and users of external realms, are passed over.',
      request: jsonBody(UserNameList),
      middleware: [admin] as const,
      responses: { 200: text('Expired'), ...authErrors },
    }),
    async (c) => {
      const count = await setPasswordsExpired(deps, c.var.requestContext, c.var.principal.user, c.req.valid('json'), true);
      return c.text(`The passwords of ${count} user(s) have expired`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/expirePasswordForAllUsers',
      summary: 'Expire Password for All Users (admin)',
      description: 'Every user with a Keyfob password, the caller included (their API key keeps working, and Change Password stays open).',
      middleware: [admin] as const,
      responses: { 200: text('Expired'), ...authErrors },
    }),
    async (c) => {
      const count = await setPasswordsExpired(deps, c.var.requestContext, c.var.principal.user, null, true);
      return c.text(`The passwords of all users have expired (${count})`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/unexpirePassword/{userName}',
      summary: 'Unexpire Password for a Single User (admin)',
      description: 'The password works again, and its age under the expiration policy starts again now.',
      request: UserNameParam,
      middleware: [admin] as const,
      responses: { 200: text('Unexpired'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await setPasswordExpired(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').userName, false));
      return c.text(`The password of user '${user.name}' is valid again`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/unexpirePasswordForAllUsers',
      summary: 'Unexpire Password for All Users (admin)',
      middleware: [admin] as const,
      responses: { 200: text('Unexpired'), ...authErrors },
    }),
    async (c) => {
      const count = await setPasswordsExpired(deps, c.var.requestContext, c.var.principal.user, null, false);
      return c.text(`The passwords of all users are valid again (${count})`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/configuration/passwordExpirationPolicy',
      summary: 'Get Password Expiration Policy (admin)',
      middleware: [adminRead] as const,
      responses: { 200: json(PasswordExpirationPolicy, 'The policy'), ...authErrors },
    }),
    async (c) => c.json(await getPasswordExpirationPolicy(deps.store), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/security/configuration/passwordExpirationPolicy',
      summary: 'Configure Password Expiration Policy (admin)',
      description: 'Fields left out keep their value. Enabled, passwords older than `passwordMaxAge` days are expired at their next use.',
      request: jsonBody(PasswordExpirationPolicyChange),
      middleware: [admin] as const,
      responses: { 200: json(PasswordExpirationPolicy, 'The policy now'), ...authErrors },
    }),
    async (c) => c.json(unwrap(await setPasswordExpirationPolicy(deps.store, c.req.valid('json'))), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/lockedUsers',
      summary: 'Get Locked Out Users (admin)',
      description: 'The names locked now under the lock policy: `[]` while it is off.',
      middleware: [adminRead] as const,
      responses: { 200: json(LockedUsersReply, 'Locked user names'), ...authErrors },
    }),
    async (c) => c.json(await listLockedUsers(deps), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/unlockUsers/{userName}',
      summary: 'Unlock Locked Out User (admin)',
      description: 'Answers 200 for a name nobody has, as Artifactory does.',
      request: UserNameParam,
      middleware: [admin] as const,
      responses: { 200: text('Unlocked'), ...authErrors },
    }),
    async (c) => {
      // Failures are counted for names nobody has too: unlocking one clears its count like anyone's.
      const name = c.req.valid('param').userName;
      await unlockUsers(deps, c.var.requestContext, c.var.principal.user, [name]);
      return c.text(`User '${name.slice(0, 64)}' has been unlocked`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/unlockUsers',
      summary: 'Unlock Locked Out Users (admin)',
      request: jsonBody(UserNameList),
      middleware: [admin] as const,
      responses: { 200: text('Unlocked'), ...authErrors },
    }),
    async (c) => {
      const names = c.req.valid('json');
      await unlockUsers(deps, c.var.requestContext, c.var.principal.user, names);
      return c.text(`${names.length} user(s) have been unlocked`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/unlockAllUsers',
      summary: 'Unlock All Locked Out Users (admin)',
      middleware: [admin] as const,
      responses: { 200: text('Unlocked'), ...authErrors },
    }),
    async (c) => {
      await unlockUsers(deps, c.var.requestContext, c.var.principal.user, null);
      return c.text('All users have been unlocked', 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/userLockPolicy',
      summary: 'Get Locked Out Users Policy (admin)',
      middleware: [adminRead] as const,
      responses: { 200: json(LockPolicy, 'The policy'), ...authErrors },
    }),
    async (c) => c.json(await getLockPolicy(deps.store), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/security/userLockPolicy',
      summary: 'Configure User Lock Policy (admin)',
      request: jsonBody(LockPolicy),
      middleware: [admin] as const,
      responses: { 200: json(LockPolicy, 'The policy now'), ...authErrors },
    }),
    async (c) => c.json(await setLockPolicy(deps.store, c.req.valid('json')), 200),
  );

  return app;
}
