/**
 * Regenerating the API key with an overlap: the old key keeps working for a while the user picks (none,
 * an hour, a day, seven days; the server's KEYFOB_API_KEY_OVERLAP_MAX_HOURS is the longest), so pipelines move
 * to the new key one by one instead of all failing at once. One old key at a time: regenerating again
 * replaces it. Artifactory's own regenerate (`PUT /artifactory/api/security/apiKey`) keeps its immediate
 * behaviour.
 */
import type { ApiKeyRecord } from './records';

/** A key row with no old key overlapping it. */
export const NO_OVERLAP = {
  previousLookupHash: null,
  previousMasked: null,
  previousEndsAt: null,
  previousLastUsedAt: null,
  previousFormatVersion: null,
} as const;

export const DEFAULT_OVERLAP_MAX_MS = 7 * 86_400_000;

/** Whether the request came with the key's replaced predecessor, and whether that still works at `now`. */
export function presentedOldKey(key: ApiKeyRecord, presentedHash: string, now: number): 'current' | 'overlapping' | 'ended' {
  if (key.lookupHash === presentedHash) return 'current';
  return key.previousEndsAt !== null && key.previousEndsAt > now ? 'overlapping' : 'ended';
}
