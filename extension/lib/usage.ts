/** How the popup says where a credential was used: "3 minutes ago from 10.1.2.3 (curl/8.5.0)", and when it looks unused. */
import type { CredentialUsage } from '../../shared/schemas';
import { relative } from './relativeTime';

/** Unused this long (or never used, made this long ago): the popup asks whether it is still needed. */
export const UNUSED_FOR_MS = 90 * 86_400_000;

export function lastUse(lastUsedAt: string | null, usage?: CredentialUsage, now?: number): string {
  const newest = usage?.clients[0];
  return relative(lastUsedAt ?? newest?.lastUsedAt ?? null, now) + (newest ? ` from ${newest.address ?? 'an unknown address'} (${newest.client})` : '');
}

export function unusedLong(createdAt: string, lastUsedAt: string | null, now = Date.now()): boolean {
  return now - Date.parse(lastUsedAt ?? createdAt) >= UNUSED_FOR_MS;
}
