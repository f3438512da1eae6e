/**
 * How long an unlock lasts: the client's auto-lock choice (or the server's default) past the last use,
 * never longer than the server's maximum from the moment of the unlock. Pure rules, so they are pinned
 * by unit tests; sessions.ts opens unlocks and credentials.ts moves them on with use.
 */
import type { DomainSettings } from './deps';
import type { SessionRecord } from './records';

/**
 * What the client asked for: minutes without use (its auto-lock choice), null for "as long as the server
 * allows" (the extension's "when the browser restarts"), or nothing for the server's default window.
 */
export type IdleMinutes = number | null | undefined;

export type UnlockFields = Pick<SessionRecord, 'unlockedUntil' | 'unlockIdleMs' | 'unlockEndsAt'>;

export const LOCKED: UnlockFields = { unlockedUntil: null, unlockIdleMs: null, unlockEndsAt: null };

export function openUnlock(settings: Pick<DomainSettings, 'unlockWindowMs' | 'unlockMaxMs'>, now: number, idleMinutes: IdleMinutes): UnlockFields {
  const endsAt = now + settings.unlockMaxMs;
  const asked = idleMinutes === undefined ? settings.unlockWindowMs : idleMinutes === null ? settings.unlockMaxMs : idleMinutes * 60_000;
  const idleMs = Math.min(asked, settings.unlockMaxMs);
  return { unlockedUntil: Math.min(now + idleMs, endsAt), unlockIdleMs: idleMs, unlockEndsAt: endsAt };
}

/**
 * The new end of an unlock that was just used, or null when there is nothing worth writing: the session
 * is locked, or the end would move by less than a minute (or a tenth of a short window), which spares a
 * write on every request. Sessions unlocked before idle windows existed keep their fixed end.
 */
export function extendedUnlock(session: UnlockFields, now: number): number | null {
  const { unlockedUntil, unlockIdleMs, unlockEndsAt } = session;
  if (unlockedUntil === null || unlockedUntil <= now || unlockIdleMs === null) return null;
  const next = Math.min(now + unlockIdleMs, unlockEndsAt ?? Number.POSITIVE_INFINITY);
  return next - unlockedUntil >= Math.min(60_000, unlockIdleMs / 10) ? next : null;
}
