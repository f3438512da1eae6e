/**
 * Configuration from environment variables. Every problem becomes one line saying what to fix; nothing
 * here touches the file system or the network, so every runtime's entry can use it.
 */
import { parseMasterKey, MasterKeyError } from './crypto/keyring';
import { CROSS_PROCESS_BOUND_MS, DEFAULT_CACHE_TTL_MS } from './domain/cache';
import { DEFAULT_DOMAIN_SETTINGS, type DomainSettings } from './domain/deps';
import { HOUSEKEEPING_INTERVAL_MS } from './domain/housekeeping';
import { commonPasswordProblem } from '../shared/commonPasswords';
import { passwordPolicyProblem } from '../shared/passwordPolicy';
import type { OAuthProviderConfig } from './oauth/oidc';
import { SAML_PROVIDER_ID } from './domain/saml';
import { z } from 'zod';
import { parseAddressBlock, type ForwardedHeader, type TrustedProxies } from './http/clientAddress';
import type { LeakReportKey, LeakReportSettings } from './domain/leaks';
import { decodeBase64 } from '@oslojs/encoding';

export class ConfigError extends Error {}

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  /** The master key from KEYFOB_MASTER_KEY, or null to use (or create) the key file in dataDir. */
  masterKey: Uint8Array | null;
  dataDir: string;
  adminUser: string;
  adminPassword: string | undefined;
  settings: DomainSettings;
  bodyLimitBytes: number;
  logRequests: boolean;
  /** Count where each credential is used (addresses and agents, per day); off: nothing of it is kept. */
  usageTracking: boolean;
  /** How long a credential check may be served from memory (0 turns the caches off); bounds cross-process staleness. */
  authCacheMs: number;
  /** How often expired sessions, reset links, OAuth flows and throttle windows are deleted (Node, Bun, Deno). */
  housekeepingIntervalMs: number;
  bintrayApiUrl: string;
  /** How long Bintray's Test waits for an answer. */
  bintrayTimeoutMs: number;
  /** The SSH server for Git LFS (Node only); 0 turns it off. */
  sshPort: number;
  sshHost: string;
  /** Where clients reach the API, for links Keyfob hands out (Git LFS endpoints); the listen address when unset. */
  publicUrl: string | null;
  /** KEYFOB_ALLOWED_HOSTS: Host names answered besides the public URL's and the listen address's. */
  allowedHosts: string[];
  /** Reverse proxies whose forwarding header names the client (KEYFOB_TRUSTED_PROXIES); null when none. */
  trustedProxies: TrustedProxies | null;
  /** OpenID Connect providers for binding and sign-in (OAUTH_PROVIDERS). */
  oauthProviders: OAuthProviderConfig[];
  /** SAML 2.0 sign-in (Node); null when SAML_IDP_METADATA is unset. */
  saml: SamlConfigSettings | null;
  /** LDAP sign-in for users of realm ldap (Node); null when LDAP_URL is unset. */
  ldap: LdapSettings | null;
  /** Mail goes out over SMTP when set (Node); otherwise it waits in the outbox table. */
  smtpUrl: string | null;
  mailFrom: string;
}

export type Env = Record<string, string | undefined>;

export interface SamlConfigSettings {
  name: string;
  /** The identity provider's metadata: a file path, or an https URL fetched on first use. */
  idpMetadata: string;
  spEntityId: string | null;
  createUsers: boolean;
}

function samlSettings(env: Env): SamlConfigSettings | null {
  const idpMetadata = env.SAML_IDP_METADATA?.trim();
  if (!idpMetadata) return null;
  return {
    name: env.SAML_NAME?.trim() || 'SAML single sign-on',
    idpMetadata,
    spEntityId: env.SAML_SP_ENTITY_ID?.trim() || null,
    createUsers: env.SAML_CREATE_USERS?.trim() === 'true',
  };
}

export interface LdapSettings {
  url: string;
  /** `uid={user},ou=people,dc=example,dc=com`; or null to search with a service account. */
  userDnTemplate: string | null;
  search: { base: string; filter: string; bindDn: string; bindPassword: string } | null;
  emailAttribute: string;
  createUsers: boolean;
  timeoutMs: number;
  caFile: string | null;
}

const OAUTH_PRESETS: Record<string, { name: string; issuer: string }> = {
  google: { name: 'Google', issuer: 'https://accounts.google.com' },
};

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * OAUTH_PROVIDERS: a JSON array of `{"id","name","issuer","clientId","clientSecret","createUsers"}`
 * (generic OpenID Connect, found by discovery), or `{"id":"google","clientId","clientSecret"}` for a preset.
 * `allowedDomains` and `hostedDomain` limit whom `createUsers` makes a user for. Client secrets stay on the server.
 */
const OAuthProviderEntry = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .refine((id) => id !== SAML_PROVIDER_ID),
  type: z.enum(['oidc', 'github-enterprise']).default('oidc'),
  name: z.string().optional(),
  issuer: z
    .string()
    .regex(/^https?:\/\//)
    .optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  createUsers: z.boolean().default(false),
  allowedDomains: z.array(z.string().regex(DOMAIN)).min(1).optional(),
  hostedDomain: z.string().regex(DOMAIN).optional(),
});

/** What is wrong with each field, in words: zod's own messages could quote the value, and a secret is among them. */
const OAUTH_FIELD_PROBLEMS: Record<keyof z.input<typeof OAuthProviderEntry>, string> = {
  id: 'must be 1 to 32 of a-z, 0-9 and - (and not saml)',
  type: 'must be oidc (the default) or github-enterprise',
  name: 'must be a string',
  issuer: "must be the provider's issuer URL (for GitHub Enterprise, the server's address)",
  clientId: 'is required',
  clientSecret: 'is required',
  createUsers: 'must be true or false',
  allowedDomains: 'must be a non-empty list of e-mail domains, e.g. ["corp.example"]',
  hostedDomain: 'must be a domain (Google Workspace\'s hd), e.g. "corp.example"',
};

function oauthProviders(env: Env): OAuthProviderConfig[] {
  const raw = env.OAUTH_PROVIDERS?.trim();
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('OAUTH_PROVIDERS must be a JSON array of providers');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('OAUTH_PROVIDERS must be a JSON array of providers');
  const ids = new Set<string>();
  return parsed.map((entry, i) => {
    const where = `OAUTH_PROVIDERS[${i}]`;
    const checked = OAuthProviderEntry.safeParse(entry);
    if (!checked.success) {
      const field = checked.error.issues[0]?.path[0] as keyof typeof OAUTH_FIELD_PROBLEMS | undefined;
      throw new ConfigError(field ? `${where}.${field} ${OAUTH_FIELD_PROBLEMS[field]}` : `${where} must be an object`);
    }
    const e = checked.data;
    const preset = OAUTH_PRESETS[e.id];
    if (ids.has(e.id)) throw new ConfigError(`${where}.id '${e.id}' is used twice`);
    ids.add(e.id);
    const issuer = e.issuer ?? preset?.issuer;
    if (!issuer) throw new ConfigError(`${where}.issuer ${OAUTH_FIELD_PROBLEMS.issuer}`);
    return {
      id: e.id,
      type: e.type,
      name: e.name || (preset?.name ?? e.id),
      issuer,
      clientId: e.clientId,
      clientSecret: e.clientSecret,
      createUsers: e.createUsers,
      allowedDomains: (e.allowedDomains ?? []).map((domain) => domain.toLowerCase()),
      hostedDomain: e.hostedDomain?.toLowerCase() ?? null,
    };
  });
}

function ldapSettings(env: Env): LdapSettings | null {
  const url = env.LDAP_URL?.trim();
  if (!url) return null;
  if (!/^ldaps?:\/\/[^/\s]+\/?$/.test(url)) throw new ConfigError(`LDAP_URL must look like ldap://host:389 or ldaps://host:636, not '${url.slice(0, 60)}'`);
  const userDnTemplate = env.LDAP_USER_DN_TEMPLATE?.trim() || null;
  const base = env.LDAP_SEARCH_BASE?.trim();
  const search = base
    ? {
        base,
        filter: env.LDAP_SEARCH_FILTER?.trim() || '(uid={user})',
        bindDn: env.LDAP_BIND_DN?.trim() ?? '',
        bindPassword: env.LDAP_BIND_PASSWORD ?? '',
      }
    : null;
  if (!userDnTemplate && !search)
    throw new ConfigError('LDAP_URL needs LDAP_USER_DN_TEMPLATE (uid={user},ou=people,…) or LDAP_SEARCH_BASE with LDAP_BIND_DN and LDAP_BIND_PASSWORD');
  if (userDnTemplate && !userDnTemplate.includes('{user}')) throw new ConfigError('LDAP_USER_DN_TEMPLATE must contain {user}');
  if (search && !search.filter.includes('{user}')) throw new ConfigError('LDAP_SEARCH_FILTER must contain {user}, e.g. (uid={user})');
  return {
    url,
    userDnTemplate,
    search: userDnTemplate ? null : search,
    emailAttribute: env.LDAP_EMAIL_ATTRIBUTE?.trim() || 'mail',
    createUsers: env.LDAP_CREATE_USERS?.trim() === 'true',
    timeoutMs: integer(env, 'LDAP_TIMEOUT_MS', 5_000, 100, 60_000),
    caFile: env.LDAP_CA_FILE?.trim() || null,
  };
}

const DATABASE_SCHEMES = ['file:', 'libsql:', 'https:', 'http:', 'wss:', 'ws:'];

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${raw.slice(0, 40)}'`);
  }
  return value;
}

function databaseUrl(env: Env, dataDir: string): string {
  const url = env.DATABASE_URL?.trim() || `file:${dataDir}/keyfob.db`;
  const scheme = DATABASE_SCHEMES.find((s) => url.startsWith(s));
  if (!scheme) {
    throw new ConfigError(`DATABASE_URL must be a file: path (file:data/keyfob.db) or a libsql://, https:// or wss:// URL, not '${url.split(':')[0]}:…'`);
  }
  if (scheme === 'file:') {
    if (url.length <= 'file:'.length) throw new ConfigError('DATABASE_URL file: needs a path, e.g. file:data/keyfob.db');
    return url;
  }
  try {
    const parsed = new URL(url);
    if (!parsed.hostname) throw new Error('no host');
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid ${scheme}// URL: check its host and port`);
  }
  return url;
}

function httpUrl(env: Env, name: string, fallback: string | null): string | null {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`${name} must be an http:// or https:// URL, not '${raw.slice(0, 60)}'`);
  }
}

function httpSso(env: Env) {
  const header = env.HTTP_SSO_HEADER?.trim();
  if (!header) return null;
  if (!/^[A-Za-z0-9-_]+$/.test(header)) throw new ConfigError(`HTTP_SSO_HEADER must be a header name like REMOTE_USER, not '${header.slice(0, 40)}'`);
  const trustedProxies = (env.HTTP_SSO_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (trustedProxies.length === 0) {
    throw new ConfigError(
      'HTTP_SSO_TRUSTED_PROXIES must list the addresses of the proxies that set HTTP_SSO_HEADER (comma-separated): from anyone else the header is ignored',
    );
  }
  // Node reads the header with dashes; a proxy's REMOTE_USER arrives as remote_user or remote-user.
  return { header: header.toLowerCase().replace(/_/g, '-'), trustedProxies, createUsers: env.HTTP_SSO_CREATE_USERS?.trim() === 'true' };
}

// A DNS name or an IP address (IPv6 in brackets), without a port: the port is not compared.
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])$/i;

function allowedHosts(env: Env): string[] {
  const names = (env.KEYFOB_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const bad = names.find((name) => !HOST_NAME.test(name));
  if (bad !== undefined) throw new ConfigError(`KEYFOB_ALLOWED_HOSTS must list host names (comma-separated, no port or scheme), not '${bad.slice(0, 60)}'`);
  return names;
}

/** KEYFOB_TRUSTED_PROXIES (addresses and CIDR blocks) and the header they write; null when none. */
function trustedProxies(env: Env): TrustedProxies | null {
  const entries = (env.KEYFOB_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const blocks = entries.map((entry) => {
    const block = parseAddressBlock(entry);
    if (!block) throw new ConfigError(`KEYFOB_TRUSTED_PROXIES must list IP addresses or CIDR blocks (comma-separated), not '${entry.slice(0, 60)}'`);
    return block;
  });
  const header = (env.KEYFOB_FORWARDED_HEADER?.trim().toLowerCase() || 'x-forwarded-for') as ForwardedHeader;
  if (header !== 'x-forwarded-for' && header !== 'forwarded') throw new ConfigError('KEYFOB_FORWARDED_HEADER must be x-forwarded-for or forwarded');
  return { blocks, header };
}

const GitHubPublicKeys = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string().min(1).max(200), key: z.string().min(1).max(4000) })).min(1),
});

/**
 * Leak reports (api/domain/leaks.ts): KEYFOB_LEAK_REPORT_KEYS is GitHub's answer from
 * https://api.github.com/meta/public_keys/secret_scanning, as it comes; KEYFOB_LEAK_REPORT_UNSIGNED_FROM lists
 * the addresses whose unsigned reports are believed; KEYFOB_LEAK_REPORT_ACTION is revoke (the default) or
 * flag. Null, and the endpoint off, when neither keys nor addresses are given.
 */
function leakReports(env: Env): LeakReportSettings | null {
  const keysJson = env.KEYFOB_LEAK_REPORT_KEYS?.trim();
  const addresses = (env.KEYFOB_LEAK_REPORT_UNSIGNED_FROM ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (!keysJson && addresses.length === 0) return null;
  let publicKeys: LeakReportKey[] = [];
  if (keysJson) {
    let parsed: z.infer<typeof GitHubPublicKeys>;
    try {
      parsed = GitHubPublicKeys.parse(JSON.parse(keysJson));
    } catch {
      throw new ConfigError(
        'KEYFOB_LEAK_REPORT_KEYS must be the JSON of https://api.github.com/meta/public_keys/secret_scanning ({"public_keys":[{"key_identifier":…,"key":"-----BEGIN PUBLIC KEY-----…"}]})',
      );
    }
    publicKeys = parsed.public_keys.map(({ key_identifier, key }) => {
      const base64 = key.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
      let spki: Uint8Array<ArrayBuffer>;
      try {
        spki = decodeBase64(base64) as Uint8Array<ArrayBuffer>;
      } catch {
        spki = new Uint8Array(0);
      }
      if (spki[0] !== 0x30) throw new ConfigError(`KEYFOB_LEAK_REPORT_KEYS: key ${key_identifier.slice(0, 20)}… is not a PEM public key`);
      return { id: key_identifier, spki };
    });
  }
  const unsignedFrom = addresses.map((entry) => {
    const block = parseAddressBlock(entry);
    if (!block) throw new ConfigError(`KEYFOB_LEAK_REPORT_UNSIGNED_FROM must list IP addresses or CIDR blocks (comma-separated), not '${entry.slice(0, 60)}'`);
    return block;
  });
  const action = env.KEYFOB_LEAK_REPORT_ACTION?.trim() || 'revoke';
  if (action !== 'revoke' && action !== 'flag') throw new ConfigError('KEYFOB_LEAK_REPORT_ACTION must be revoke or flag');
  return { publicKeys, unsignedFrom, action };
}

function smtpUrl(env: Env): string | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('scheme');
    if (!url.hostname) throw new Error('host');
  } catch {
    // Never echo the value: it may hold the SMTP password.
    throw new ConfigError('SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465');
  }
  return raw;
}

export function loadConfig(env: Env): Config {
  const dataDir = env.KEYFOB_DATA_DIR?.trim() || 'data';
  let masterKey: Uint8Array | null = null;
  if (env.KEYFOB_MASTER_KEY !== undefined && env.KEYFOB_MASTER_KEY.trim() !== '') {
    try {
      masterKey = parseMasterKey(env.KEYFOB_MASTER_KEY);
    } catch (err) {
      const why = err instanceof MasterKeyError ? err.message : 'is unreadable';
      throw new ConfigError(`KEYFOB_MASTER_KEY ${why}: it must be 32 random bytes in base64 (make one with: openssl rand -base64 32)`);
    }
  }
  const adminPassword = env.KEYFOB_ADMIN_PASSWORD === '' ? undefined : env.KEYFOB_ADMIN_PASSWORD;
  const passwordPolicy = {
    minLength: integer(env, 'KEYFOB_PASSWORD_MIN_LENGTH', DEFAULT_DOMAIN_SETTINGS.passwordPolicy.minLength, 1, 256),
    minClasses: integer(env, 'KEYFOB_PASSWORD_MIN_CLASSES', DEFAULT_DOMAIN_SETTINGS.passwordPolicy.minClasses, 1, 4),
  };
  const adminProblem =
    adminPassword === undefined
      ? null
      : (passwordPolicyProblem(passwordPolicy, adminPassword, env.KEYFOB_ADMIN_USER?.trim() || 'admin') ?? commonPasswordProblem(adminPassword));
  if (adminProblem) throw new ConfigError(adminProblem.replace('The new password', 'KEYFOB_ADMIN_PASSWORD'));
  const publicUrl = httpUrl(env, 'KEYFOB_PUBLIC_URL', null);
  const unlockWindowMs = integer(env, 'KEYFOB_UNLOCK_MINUTES', 5, 1, 24 * 60) * 60_000;
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    port: integer(env, 'PORT', 8787, 0, 65535),
    databaseUrl: databaseUrl(env, dataDir),
    databaseAuthToken: env.DATABASE_AUTH_TOKEN?.trim() || undefined,
    masterKey,
    dataDir,
    adminUser: env.KEYFOB_ADMIN_USER?.trim() || 'admin',
    adminPassword,
    settings: {
      unlockWindowMs,
      // Never shorter than the default window, so the default stays a choice the maximum allows.
      unlockMaxMs: Math.max(unlockWindowMs, integer(env, 'KEYFOB_UNLOCK_MAX_MINUTES', 12 * 60, 1, 7 * 24 * 60) * 60_000),
      sessionIdleMs: integer(env, 'KEYFOB_SESSION_IDLE_MINUTES', 12 * 60, 1, 30 * 24 * 60) * 60_000,
      sessionMaxMs: integer(env, 'KEYFOB_SESSION_MAX_DAYS', 30, 1, 365) * 24 * 60 * 60_000,
      passwordPolicy,
      resetLinkMs: integer(env, 'KEYFOB_RESET_LINK_MINUTES', 30, 1, 24 * 60) * 60_000,
      publicUrl,
      httpSso: httpSso(env),
      apiKeyOverlapMaxMs: integer(env, 'KEYFOB_API_KEY_OVERLAP_MAX_HOURS', DEFAULT_DOMAIN_SETTINGS.apiKeyOverlapMaxMs / 3_600_000, 0, 30 * 24) * 3_600_000,
      leakReports: leakReports(env),
    },
    bodyLimitBytes: integer(env, 'KEYFOB_BODY_LIMIT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    logRequests: (env.KEYFOB_LOG_REQUESTS ?? 'true') !== 'false',
    usageTracking: (env.KEYFOB_USAGE_TRACKING ?? 'true') !== 'false',
    authCacheMs: integer(env, 'KEYFOB_AUTH_CACHE_MS', DEFAULT_CACHE_TTL_MS, 0, CROSS_PROCESS_BOUND_MS),
    housekeepingIntervalMs: integer(env, 'KEYFOB_HOUSEKEEPING_INTERVAL_MS', HOUSEKEEPING_INTERVAL_MS, 100, 24 * 60 * 60_000),
    bintrayApiUrl: httpUrl(env, 'BINTRAY_API_URL', 'https://api.bintray.com') as string,
    bintrayTimeoutMs: integer(env, 'BINTRAY_TIMEOUT_MS', 5_000, 100, 60_000),
    sshPort: integer(env, 'SSH_PORT', 1339, 0, 65535),
    sshHost: env.SSH_HOST?.trim() || env.HOST?.trim() || '127.0.0.1',
    publicUrl,
    allowedHosts: allowedHosts(env),
    trustedProxies: trustedProxies(env),
    smtpUrl: smtpUrl(env),
    ldap: ldapSettings(env),
    oauthProviders: oauthProviders(env),
    saml: samlSettings(env),
    mailFrom: env.MAIL_FROM?.trim() || 'Keyfob <keyfob@localhost>',
  };
}
