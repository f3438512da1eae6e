import type { AutoLock } from './storage';

export const AUTO_LOCK_ALARM = 'keyfob-auto-lock';

/** The idle time after which Keyfob locks, or null for "on browser restart" (the session store is emptied then). */
export function autoLockMs(setting: AutoLock): number | null {
  return setting === 'restart' ? null : Number(setting) * 60_000;
}

export function idleExpired(lastActivity: number | null, setting: AutoLock, now: number): boolean {
  const limit = autoLockMs(setting);
  return limit !== null && lastActivity !== null && now - lastActivity >= limit;
}
