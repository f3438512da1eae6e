/**
 * Leak reports: someone found Keyfob credentials where they should not be (GitHub's secret scanning, a
 * gitleaks job in CI) and posts them here, in GitHub's secret-scanning partner payload. Each one that works
 * is revoked (or, by the operator's choice, only flagged), recorded in its owner's activity, and mailed to the
 * owner with where it was found. The answer says per token whether it was valid, and nothing else: it names
 * no user, and never repeats a token.
 *
 * Who may report: a signature by one of the configured public keys (GitHub signs with ECDSA P-256 over
 * SHA-256, keys published at https://api.github.com/meta/public_keys/secret_scanning), or an unsigned report
 * from a configured address. Nobody else: the endpoint would otherwise tell anyone which guesses are keys.
 */
import { DAY_MS } from './expiryReminders';
import { decodeBase64 } from '@oslojs/encoding';
import { looksLikeAccessToken, looksLikeApiKey, looksLikeReferenceToken, maskSecret, REFRESH_TOKEN_PREFIX, SESSION_TOKEN_PREFIX } from '../../shared/formats';
import type { LeakReport, LeakVerdict } from '../../shared/schemas';
import { apiKeyLookupHash, storedTokenHash } from '../crypto/secrets';
import { type AddressBlock, inBlock, parseAddress } from '../http/clientAddress';
import { apiKeyMayExist } from './apiKeys';
import { refreshTokenMayExist, sessionTokenMayExist } from './checksums';
import { presentedOldKey } from './apiKeyOverlap';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { composeMail } from './mail';
import { findTokenByValue } from './tokens';
import { tokenEnded, type AccessTokenRecord, type LeakTarget, type UserRecord } from './records';
import { fail, ok, type Result } from './result';

export type LeakAction = 'revoke' | 'flag';

export interface LeakReportKey {
  /** GitHub's `key_identifier`, sent back in the `Github-Public-Key-Identifier` header. */
  id: string;
  /** The public key, SubjectPublicKeyInfo DER (what the PEM holds). */
  spki: Uint8Array<ArrayBuffer>;
}

export interface LeakReportSettings {
  publicKeys: LeakReportKey[];
  /** Addresses whose unsigned reports are believed (a gitleaks job inside the network). */
  unsignedFrom: AddressBlock[];
  action: LeakAction;
}

export const SIGNATURE_HEADER = 'github-public-key-signature';
export const KEY_ID_HEADER = 'github-public-key-identifier';

const imported = new WeakMap<Uint8Array<ArrayBuffer>, Promise<CryptoKey>>();

function importKey(key: LeakReportKey): Promise<CryptoKey> {
  let found = imported.get(key.spki);
  if (!found) {
    found = crypto.subtle.importKey('spki', key.spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    imported.set(key.spki, found);
  }
  return found;
}

/**
 * An ECDSA signature in DER (SEQUENCE of two INTEGERs, what GitHub sends) as Web Crypto wants it: r and s,
 * 32 bytes each. Null when it is not that shape.
 */
export function derToP1363(der: Uint8Array): Uint8Array<ArrayBuffer> | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(64);
  let at = 2;
  for (const half of [0, 32]) {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1]!;
    const start = at + 2;
    if (length < 1 || length > 33 || start + length > der.length) return null;
    let value = der.subarray(start, start + length);
    // DER adds a zero byte where the top bit is set; a value may also be shorter than 32 bytes.
    while (value.length > 32 && value[0] === 0) value = value.subarray(1);
    if (value.length > 32) return null;
    out.set(value, half + 32 - value.length);
    at = start + length;
  }
  return at === der.length ? out : null;
}

/** Whether this report may be acted on: signed by a configured key, or unsigned from a configured address. */
export async function leakReportTrusted(
  settings: LeakReportSettings,
  ctx: RequestContext,
  body: Uint8Array<ArrayBuffer>,
  headers: { keyId: string | undefined; signature: string | undefined },
): Promise<Result<void>> {
  if (headers.signature === undefined && headers.keyId === undefined) {
    const address = ctx.clientAddress === null ? null : parseAddress(ctx.clientAddress);
    if (address && settings.unsignedFrom.some((block) => inBlock(address, block))) return ok(undefined);
    return fail(
      'UNAUTHENTICATED',
      'A leak report must be signed (Github-Public-Key-Identifier and Github-Public-Key-Signature) or come from an address allowed to send unsigned ones',
    );
  }
  const key = settings.publicKeys.find((candidate) => candidate.id === headers.keyId);
  if (!key || !headers.signature) return fail('BAD_CREDENTIALS', 'The report is signed with a key this server does not know');
  let signature: Uint8Array<ArrayBuffer> | null;
  try {
    signature = derToP1363(decodeBase64(headers.signature.trim()));
  } catch {
    signature = null;
  }
  if (!signature) return fail('BAD_CREDENTIALS', 'The report’s signature is not a base64 ECDSA signature');
  let publicKey: CryptoKey;
  try {
    publicKey = await importKey(key);
  } catch {
    return fail('UNAVAILABLE', 'The public key this report names is configured but is no P-256 key: ask the operator to check KEYFOB_LEAK_REPORT_KEYS');
  }
  const verified = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, body);
  return verified ? ok(undefined) : fail('BAD_CREDENTIALS', 'The report’s signature does not verify');
}

/** A reported value that is one of ours and works now: whose it is, what to revoke, and how to name it in mail. */
interface FoundCredential {
  user: UserRecord;
  target: LeakTarget;
  /** "your API key AKCp••••••••abcd", as the mail says it. */
  described: string;
  kind: 'api-key' | 'access-token' | 'refresh-token' | 'session';
}

function liveToken(token: AccessTokenRecord | null, now: number): token is AccessTokenRecord {
  return token !== null && !tokenEnded(token, now) && (token.expiresAt === null || token.expiresAt > now);
}

function describeToken(token: AccessTokenRecord): string {
  return token.description ? `access token "${token.description.slice(0, 80)}"` : `access token ${token.id}`;
}

/** What the value is, if it is a credential of this Keyfob that works: read by hash, never compared in clear. */
async function identify(deps: DomainDeps, value: string): Promise<(Omit<FoundCredential, 'user'> & { userId: number }) | null> {
  const now = deps.clock.now();
  if (looksLikeApiKey(value)) {
    if (!(await apiKeyMayExist(deps, value))) return null;
    const hash = apiKeyLookupHash(deps.keys, value);
    const key = await deps.store.findApiKeyByLookupHash(hash);
    if (!key) return null;
    const which = presentedOldKey(key, hash, now);
    if (which === 'ended') return null;
    // An old key still overlapping its successor: only it ends; the new key goes on.
    const target = which === 'current' ? { apiKeyLookupHash: hash } : { previousApiKeyLookupHash: hash };
    return { userId: key.userId, target, described: `${which === 'current' ? '' : 'old '}API key ${maskSecret(value)}`, kind: 'api-key' };
  }
  if (looksLikeAccessToken(value) || looksLikeReferenceToken(value)) {
    const token = await findTokenByValue(deps, value);
    if (!liveToken(token, now)) return null;
    return { userId: token.userId, target: { tokenId: token.id }, described: describeToken(token), kind: 'access-token' };
  }
  if (value.startsWith(REFRESH_TOKEN_PREFIX)) {
    if (!(await refreshTokenMayExist(deps, value))) return null;
    const token = await deps.store.findAccessTokenByRefresh(storedTokenHash(deps.keys, value));
    // A refresh token outlives its access token's expiry (that is what it is for), and a spent one names a
    // family whose newer tokens may be live: either way its family is what to end.
    if (!token || (token.revokedAt !== null && token.revokedReason !== 'refreshed')) return null;
    return { userId: token.userId, target: { tokenId: token.id }, described: `refresh token of the ${describeToken(token)}`, kind: 'refresh-token' };
  }
  if (value.startsWith(SESSION_TOKEN_PREFIX)) {
    if (!(await sessionTokenMayExist(deps, value))) return null;
    const sessionHash = storedTokenHash(deps.keys, value);
    const session = await deps.store.findSession(sessionHash);
    if (!session || session.expiresAt <= now) return null;
    const described = session.kind === 'lfs' ? 'Git LFS token (from git-lfs-authenticate over SSH)' : 'Keyfob session (a signed-in browser)';
    return { userId: session.userId, target: { sessionHash }, described, kind: 'session' };
  }
  return null;
}

/** Where it was found, as the mail may print it: an http(s) URL, never longer than a line. */
function foundWhere(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href.slice(0, 300) : null;
  } catch {
    return null;
  }
}

function leakMailText(
  user: UserRecord,
  found: FoundCredential,
  where: string | null,
  source: string | null,
  action: LeakAction,
  publicUrl: string | null,
): string {
  const at = publicUrl ? ` at ${publicUrl}` : '';
  const lines = [
    `Hello ${user.name},`,
    '',
    `Your Keyfob ${found.described} was reported found where others can read it${source ? ` (reported by ${source})` : ''}:`,
    where ?? '(the report did not say where)',
    '',
  ];
  if (action === 'revoke') {
    lines.push(
      'Keyfob revoked it at once: every request with it is refused from now on.',
      `What to do: remove it from where it was found, make a new one${at}, and give the new one to whatever used the old.`,
    );
  } else {
    lines.push(
      'It still works: your administrator has Keyfob flag found credentials rather than revoke them.',
      `Revoke or regenerate it now${at}, then remove it from where it was found. Anyone who read it can use it until you do.`,
    );
  }
  lines.push('', 'If you did not put it there, tell your administrator: someone else may have a copy.');
  return lines.join('\n');
}

/** GitHub's `token_hash`: the SHA-256 of the token in hex, so the answer never repeats a secret. */
function verdict(deps: DomainDeps, item: LeakReport[number], valid: boolean): LeakVerdict {
  return { token_hash: deps.keys.sha256.hex(item.token), token_type: item.type ?? 'unknown', label: valid ? 'true_positive' : 'false_positive' };
}

/** Acts on each reported value that is a working credential of this Keyfob, and says which were. */
export async function handleLeakReport(deps: DomainDeps, ctx: RequestContext, settings: LeakReportSettings, report: LeakReport): Promise<LeakVerdict[]> {
  const verdicts: LeakVerdict[] = [];
  // A token reported twice in one report gets one answer: it was valid, though the first copy revoked it.
  const seen = new Map<string, boolean>();
  let mailed = false;
  for (const item of report) {
    const already = seen.get(item.token);
    if (already !== undefined) {
      verdicts.push(verdict(deps, item, already));
      continue;
    }
    const identified = await identify(deps, item.token);
    const user = identified ? await deps.store.findUserById(identified.userId) : null;
    if (!identified || !user) {
      seen.set(item.token, false);
      verdicts.push(verdict(deps, item, false));
      continue;
    }
    const found: FoundCredential = { ...identified, user };
    const where = foundWhere(item.url);
    // The reporter's words go into mail: one line, no control characters.
    const source =
      item.source
        ?.replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 60) || null;
    const detail = {
      credential: found.kind,
      action: settings.action === 'revoke' ? 'revoked' : 'flagged',
      ...(where && { url: where }),
      ...(source && { source }),
    };
    const mail = user.email
      ? [
          await composeMail(
            deps,
            user.email,
            settings.action === 'revoke' ? 'Your Keyfob credential was found in public and revoked' : 'Your Keyfob credential was found in public',
            leakMailText(user, found, where, source, settings.action, deps.settings.publicUrl),
          ),
        ]
      : [];
    // Flagging changes nothing, so the same report (replayed: GitHub's signature has no date) would mail
    // again each time: once a day per credential is enough.
    const flaggedToday =
      settings.action === 'flag' && (await deps.store.hitThrottle(`leak-flagged:${deps.keys.sha256.hex(item.token)}`, DAY_MS, deps.clock.now())) > 1;
    const acted =
      !flaggedToday &&
      (await deps.store.recordLeak(
        settings.action === 'revoke' ? found.target : null,
        deps.clock.now(),
        [auditEvent(deps, ctx, 'credential-leaked', user, detail)],
        mail,
      ));
    if (acted && mail.length > 0) mailed = true;
    // Revoked: valid when this report is what ended it (a spent refresh token whose family had ended is not).
    const valid = settings.action === 'flag' || acted;
    seen.set(item.token, valid);
    verdicts.push(verdict(deps, item, valid));
  }
  if (mailed) deps.afterMailQueued?.();
  return verdicts;
}
