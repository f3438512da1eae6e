import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORD_PROBLEM } from '../../shared/commonPasswords';
import { measureStrength } from './strength';

describe('the strength meter', () => {
  it("scores a password on the server's common list 0, and says the server will refuse it", () => {
    expect(measureStrength('Welcome1', ['nora'])).toEqual({ score: 0, advice: COMMON_PASSWORD_PROBLEM });
  });

  it('measures any other password as before', () => {
    expect(measureStrength('vintage-Lantern-orbit-42', ['nora']).score).toBeGreaterThanOrEqual(3);
  });
});
