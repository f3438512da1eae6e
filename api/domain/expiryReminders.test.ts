import { describe, expect, it } from 'vitest';
import { DAY_MS, dueReminder, timeLeftInWords, tokenName } from './expiryReminders';

const NOW = Date.UTC(2026, 11, 3, 12);
/** A credential made `ageDays` ago that expires in `leftDays`. */
const credential = (ageDays: number, leftDays: number, lastSent: number | null = null) => ({
  startedAt: NOW - ageDays * DAY_MS,
  expiresAt: NOW + leftDays * DAY_MS,
  lastSent,
});

describe('which expiry reminder is due', () => {
  it('sends 30, 7 and 1 day ahead, each once', () => {
    expect(dueReminder(credential(60, 31), NOW)).toBeNull();
    expect(dueReminder(credential(60, 30), NOW)).toBe(30);
    expect(dueReminder(credential(60, 29, 30), NOW)).toBeNull();
    expect(dueReminder(credential(60, 7, 30), NOW)).toBe(7);
    expect(dueReminder(credential(60, 6, 7), NOW)).toBeNull();
    expect(dueReminder(credential(60, 1, 7), NOW)).toBe(1);
    expect(dueReminder(credential(60, 0.5, 1), NOW)).toBeNull();
  });

  it('sends only the latest one whose moment has passed', () => {
    expect(dueReminder(credential(60, 5), NOW)).toBe(7);
    expect(dueReminder(credential(60, 0.5), NOW)).toBe(1);
    expect(dueReminder(credential(60, 0.5, 30), NOW)).toBe(1);
  });

  it('never sends one whose moment came before the credential existed', () => {
    // A 2-day token hears only 1 day ahead; a 10-day one 7 and 1 days ahead; a 1-day one never.
    expect(dueReminder(credential(0.5, 1.5), NOW)).toBeNull();
    expect(dueReminder(credential(1.5, 0.5), NOW)).toBe(1);
    expect(dueReminder(credential(3, 7), NOW)).toBe(7);
    expect(dueReminder(credential(0.5, 0.5), NOW)).toBeNull();
    // Made exactly at the 7-day moment: that moment is not after it was made.
    expect(dueReminder(credential(0, 7), NOW)).toBeNull();
  });

  it('sends nothing once it has expired', () => {
    expect(dueReminder(credential(60, 0), NOW)).toBeNull();
    expect(dueReminder(credential(60, -1), NOW)).toBeNull();
  });
});

describe('the words of a reminder', () => {
  it('says the time actually left, since a reminder can go out late', () => {
    expect(timeLeftInWords(NOW + 30 * DAY_MS - 10 * 60_000, NOW)).toBe('in 30 days');
    expect(timeLeftInWords(NOW + 3 * DAY_MS, NOW)).toBe('in 3 days');
    expect(timeLeftInWords(NOW + DAY_MS, NOW)).toBe('within a day');
  });

  it('names a token by its description on one line, or its id', () => {
    expect(tokenName({ id: '0a1b2c3d-4e5f-6789-abcd-ef0123456789', description: null })).toBe('0a1b2c3d');
    expect(tokenName({ id: '0a1b2c3d-4e5f-6789-abcd-ef0123456789', description: 'CI\r\nSubject: x' })).toBe('"CI Subject: x" (0a1b2c3d)');
  });
});
