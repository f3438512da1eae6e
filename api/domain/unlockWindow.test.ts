import { describe, expect, it } from 'vitest';
import { extendedUnlock, LOCKED, openUnlock } from './unlockWindow';

const MINUTE = 60_000;
const settings = { unlockWindowMs: 5 * MINUTE, unlockMaxMs: 60 * MINUTE };

describe('unlock windows', () => {
  it('open for the idle time asked, the default when none, the maximum for null, and never past the maximum', () => {
    expect(openUnlock(settings, 0, 15)).toEqual({ unlockedUntil: 15 * MINUTE, unlockIdleMs: 15 * MINUTE, unlockEndsAt: 60 * MINUTE });
    expect(openUnlock(settings, 0, undefined)).toEqual({ unlockedUntil: 5 * MINUTE, unlockIdleMs: 5 * MINUTE, unlockEndsAt: 60 * MINUTE });
    expect(openUnlock(settings, 0, null)).toEqual({ unlockedUntil: 60 * MINUTE, unlockIdleMs: 60 * MINUTE, unlockEndsAt: 60 * MINUTE });
    expect(openUnlock(settings, 0, 24 * 60)).toEqual({ unlockedUntil: 60 * MINUTE, unlockIdleMs: 60 * MINUTE, unlockEndsAt: 60 * MINUTE });
  });

  it('move on with use, up to the maximum, and only when the move is worth a write', () => {
    const open = openUnlock(settings, 0, 15);
    expect(extendedUnlock(open, 10 * MINUTE)).toBe(25 * MINUTE);
    expect(extendedUnlock(open, 30 * 1000)).toBeNull(); // half a minute on: not worth a write
    expect(extendedUnlock({ ...open, unlockedUntil: 55 * MINUTE }, 50 * MINUTE)).toBe(60 * MINUTE);
    expect(extendedUnlock({ ...open, unlockedUntil: 60 * MINUTE }, 59 * MINUTE)).toBeNull(); // at the maximum already
    // A one-minute choice moves on every six seconds of use, so it never ends early by much.
    expect(extendedUnlock(openUnlock(settings, 0, 1), 6_000)).toBe(66_000);
  });

  it('never reopen a locked or run-out unlock, nor move an older fixed one', () => {
    expect(extendedUnlock(LOCKED, 0)).toBeNull();
    expect(extendedUnlock(openUnlock(settings, 0, 15), 15 * MINUTE)).toBeNull();
    expect(extendedUnlock({ unlockedUntil: 5 * MINUTE, unlockIdleMs: null, unlockEndsAt: null }, MINUTE)).toBeNull();
  });
});
