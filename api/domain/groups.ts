/**
 * Artifactory's groups, read from the groups users carry (`users.groups`): a group exists while some user
 * is in it. Enough for dohq's `user.groups` and Terraform's group data sources; Keyfob keeps no group
 * records of its own, so groups are not created, changed or deleted through the group calls.
 */
import type { DomainDeps } from './deps';
import { fail, ok, type Result } from './result';

export interface GroupView {
  name: string;
  description: string;
  autoJoin: boolean;
  adminPrivileges: boolean;
  realm: string;
  userNames?: string[];
}

export function listGroups(deps: Pick<DomainDeps, 'store'>): Promise<string[]> {
  return deps.store.listGroupNames();
}

/** The group as Artifactory shows it; its members with `includeUsers`. Names are compared exactly, as users carry them. */
export async function findGroup(deps: Pick<DomainDeps, 'store'>, name: string, includeUsers: boolean): Promise<Result<GroupView>> {
  const members = await deps.store.listGroupMembers(name);
  if (members.length === 0) return fail('NOT_FOUND', `Group '${name.slice(0, 128)}' does not exist`);
  const group: GroupView = { name, description: '', autoJoin: false, adminPrivileges: false, realm: 'internal' };
  return ok(includeUsers ? { ...group, userNames: members } : group);
}

/** `includeUsers=true` (any case) or `1`: what Artifactory's clients send to ask for the members. */
export function wantsUsers(value: string | undefined): boolean {
  return value !== undefined && (value.toLowerCase() === 'true' || value === '1');
}
