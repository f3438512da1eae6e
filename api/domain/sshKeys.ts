/**
 * Users' SSH public keys, and what they are for: authenticating the Git LFS client over SSH, which gets
 * a short-lived token for the REST API in return (`git-lfs-authenticate`).
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase64NoPadding } from '@oslojs/encoding';
import type { LfsAuthenticateReply, SshKeyPolicy, SshKeyReply } from '../../shared/schemas';
import { userNameKey } from '../../shared/schemas';
import { MIN_RSA_BITS, parseSshPublicKey } from '../crypto/sshPublicKey';
import { generateSessionToken, storedTokenHash } from '../crypto/secrets';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { mayUpdateProfile } from './access';
import type { SshKeyRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';
import { quoted, securityNotice } from './notices';
import { NO_USAGE, readUsage, usageKey, type UsageOf } from './usage';

const POLICY_SETTING = 'sshKeyPolicy';
export const DEFAULT_SSH_KEY_POLICY: SshKeyPolicy = { allowDsaKeys: false };

/** How long the token `git-lfs-authenticate` hands out lasts. */
export const LFS_TOKEN_TTL_SECONDS = 600;
/** "Last used" to the minute, without a write per connection. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function getSshKeyPolicy(deps: Pick<DomainDeps, 'store'>): Promise<SshKeyPolicy> {
  return { ...DEFAULT_SSH_KEY_POLICY, ...(await deps.store.getSetting<SshKeyPolicy>(POLICY_SETTING)) };
}

export async function setSshKeyPolicy(deps: Pick<DomainDeps, 'store'>, policy: SshKeyPolicy): Promise<SshKeyPolicy> {
  await deps.store.putSetting(POLICY_SETTING, policy);
  return policy;
}

export function describeSshKey(key: SshKeyRecord, usageOf: UsageOf = () => NO_USAGE): SshKeyReply {
  return {
    id: key.id,
    name: key.name,
    type: key.type,
    bits: key.bits,
    fingerprint: key.fingerprint,
    createdAt: new Date(key.createdAt).toISOString(),
    lastUsedAt: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
    usage: usageOf(usageKey.sshKey(key.id)),
  };
}

export async function listSshKeys(deps: DomainDeps, user: UserRecord): Promise<SshKeyReply[]> {
  const keys = await deps.store.listSshKeys(user.id);
  const usageOf = await readUsage(
    deps,
    keys.map((key) => usageKey.sshKey(key.id)),
  );
  return keys.map((key) => describeSshKey(key, usageOf));
}

/** Checks the key and registers it to the user. Every refusal says why and what to do instead. */
export async function addSshKey(
  deps: DomainDeps,
  ctx: RequestContext,
  user: UserRecord,
  input: { name?: string; publicKey: string },
): Promise<Result<SshKeyRecord>> {
  const updatable = mayUpdateProfile(user);
  if (!updatable.ok) return updatable;
  const parsed = parseSshPublicKey(input.publicKey);
  if (!parsed.ok) return parsed;
  const key = parsed.value;
  if (key.type === 'ssh-rsa' && key.bits < MIN_RSA_BITS) {
    return fail('BAD_REQUEST', `This RSA key has ${key.bits} bits; at least ${MIN_RSA_BITS} are required. Make a new one with: ssh-keygen -t ed25519`);
  }
  if (key.type === 'ssh-dss' && !(await getSshKeyPolicy(deps)).allowDsaKeys) {
    return fail('BAD_REQUEST', 'DSA keys are not accepted: DSA is broken. Make a new key with: ssh-keygen -t ed25519');
  }
  const existing = await deps.store.findSshKeyByFingerprint(key.fingerprint);
  if (existing) {
    // Which other user holds it is theirs to know; the caller learns only that it is taken.
    return existing.userId === user.id
      ? fail('CONFLICT', `You already registered this key as '${existing.name}'`)
      : fail('CONFLICT', 'This key is registered to another user: each key identifies one user, so make a new one for this account');
  }
  const now = deps.clock.now();
  const name = input.name?.trim() || key.comment.slice(0, 100) || `${key.type} key`;
  // Whoever holds a key added to the account can fetch from Git LFS as its owner: the owner always hears of it.
  const mail = await securityNotice(deps, ctx, user, {
    subject: 'An SSH key was added to your Keyfob account',
    happened: `The SSH key "${quoted(name)}" (${key.type}, ${key.fingerprint}) was added to your Keyfob account ${user.name}; it can now authenticate Git LFS over SSH as you.`,
    ifNotYou: 'remove the key in Keyfob (SSH keys), change your password, and tell your administrator',
  });
  const inserted = await deps.store.insertSshKey(
    { userId: user.id, name, type: key.type, blob: key.blob, bits: key.bits, fingerprint: key.fingerprint, createdAt: now },
    [auditEvent(deps, ctx, 'ssh-key-added', user, { fingerprint: key.fingerprint, name })],
    mail,
  );
  if (inserted && mail.length > 0) deps.afterMailQueued?.();
  // A concurrent add of the same key won the race between the check and the insert.
  return inserted ? ok(inserted) : fail('CONFLICT', 'This key was registered a moment ago: reload your keys');
}

export async function removeSshKey(deps: DomainDeps, ctx: RequestContext, user: UserRecord, id: number): Promise<Result<void>> {
  const key = (await deps.store.listSshKeys(user.id)).find((k) => k.id === id);
  if (!key) return fail('NOT_FOUND', 'You have no SSH key with that id');
  const removed = await deps.store.deleteSshKey(user.id, id, [
    auditEvent(deps, ctx, 'ssh-key-removed', user, { fingerprint: key.fingerprint, name: key.name }),
  ]);
  return removed ? ok(undefined) : fail('NOT_FOUND', 'You have no SSH key with that id');
}

/** The login names an SSH client may use: the user's own, or `git`, the convention of every Git host. */
const SHARED_LOGIN = 'git';

/**
 * Whose key this is, for the SSH server: the key must be registered, allowed by
 * the current policy, and its user not locked. The key alone identifies the user (no passwords over SSH).
 * Reads the database every time: a removed key is refused on its next connection.
 */
export async function findSshKeyOwner(deps: DomainDeps, loginName: string, blob: Uint8Array): Promise<{ user: UserRecord; key: SshKeyRecord } | null> {
  // The fingerprint is a hash of the whole blob, type included: a match is this very key.
  const fingerprint = `SHA256:${encodeBase64NoPadding(sha256(blob))}`;
  const key = await deps.store.findSshKeyByFingerprint(fingerprint);
  if (!key) return null;
  if (key.type === 'ssh-dss' && !(await getSshKeyPolicy(deps)).allowDsaKeys) return null;
  const user = await deps.store.findUserById(key.userId);
  if (!user) return null;
  const login = userNameKey(loginName);
  if (login !== user.nameKey && login !== SHARED_LOGIN) return null;
  // No lock check: the sign-in lock stops password guesses, and a registered key is no guess (lockout.ts).
  return { user, key };
}

const LFS_OPERATIONS = new Set(['upload', 'download']);
const REPO_PATH = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

/** Splits an SSH exec command the way a POSIX shell would for simple quoting ('…' and "…"). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/**
 * Answers `git-lfs-authenticate <repo> <upload|download>`: the LFS endpoint of the repository under
 * `baseUrl`, and a token the REST API accepts as Bearer for LFS_TOKEN_TTL_SECONDS.
 */
export async function authenticateGitLfs(
  deps: DomainDeps,
  ctx: RequestContext,
  owner: { user: UserRecord; key: SshKeyRecord },
  command: string,
  baseUrl: string,
): Promise<Result<LfsAuthenticateReply>> {
  const [program, rawRepo, operation, ...rest] = splitCommand(command);
  if (program !== 'git-lfs-authenticate') {
    return fail('FORBIDDEN', 'Keyfob answers only git-lfs-authenticate over SSH: there is no shell here');
  }
  const repo = (rawRepo ?? '').replace(/^\/+/, '').replace(/\.git$/, '');
  if (!REPO_PATH.test(repo) || repo.length > 200 || !LFS_OPERATIONS.has(operation ?? '') || rest.length > 0) {
    return fail('BAD_REQUEST', 'Usage: git-lfs-authenticate <repository> <upload|download>');
  }
  const now = deps.clock.now();
  const token = generateSessionToken(deps.randomBytes);
  await deps.store.insertSession(
    {
      tokenHash: storedTokenHash(deps.keys, token),
      userId: owner.user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + LFS_TOKEN_TTL_SECONDS * 1000,
      unlockedUntil: null,
      unlockIdleMs: null,
      unlockEndsAt: null,
      kind: 'lfs',
      sshKeyId: owner.key.id,
    },
    [auditEvent(deps, ctx, 'lfs-token-issued', owner.user, { key: owner.key.name, repository: repo, operation: operation as string })],
  );
  if (owner.key.lastUsedAt === null || now - owner.key.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await deps.store.touchSshKey(owner.key.id, now);
  }
  // The SSH connection's client: its address, and its SSH version string as the agent.
  deps.usage?.record(usageKey.sshKey(owner.key.id), now, ctx);
  return ok({
    href: `${baseUrl.replace(/\/+$/, '')}/artifactory/api/lfs/${repo}`,
    header: { Authorization: `Bearer ${token}` },
    expires_in: LFS_TOKEN_TTL_SECONDS,
  });
}
