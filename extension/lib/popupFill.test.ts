import { describe, expect, it } from 'vitest';
import { fillableOrigin, fillChoice } from './popupFill';

const KEY = {
  masked: 'AKCp8••••',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
  needsRegeneration: false,
  previous: null,
  usage: { clients: [], daily: [] },
};

describe("the popup's Fill choice", () => {
  it('starts on the API key when there is one, else on the encrypted password', () => {
    expect(fillChoice({ apiKey: KEY, canChangePassword: true }, null)).toBe('apiKey');
    expect(fillChoice({ apiKey: null, canChangePassword: true }, null)).toBe('encryptedPassword');
  });

  it("keeps the site's remembered choice while the user still has that secret", () => {
    expect(fillChoice({ apiKey: KEY, canChangePassword: true }, 'encryptedPassword')).toBe('encryptedPassword');
    // The key was revoked since the choice was remembered: never a disabled option.
    expect(fillChoice({ apiKey: null, canChangePassword: true }, 'apiKey')).toBe('encryptedPassword');
    // No encrypted password (an external directory's user): the key.
    expect(fillChoice({ apiKey: KEY, canChangePassword: false }, 'encryptedPassword')).toBe('apiKey');
  });

  it('fills web pages only', () => {
    expect(fillableOrigin('https://ci.example.com/login?next=/')).toBe('https://ci.example.com');
    expect(fillableOrigin('chrome://extensions')).toBeNull();
    expect(fillableOrigin('file:///etc/passwd')).toBeNull();
    expect(fillableOrigin(undefined)).toBeNull();
  });
});
