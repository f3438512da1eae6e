/**
 * Every kind of event in a user's activity, in one list: the API types the events it records with it, the
 * activity schema validates against it, and the extension's labels are a record over it, so a new kind
 * cannot ship without words for it.
 */
export const AUDIT_EVENT_TYPES = [
  'sign-in',
  'sign-in-failed',
  'sign-out',
  'unlock',
  'api-key-created',
  'api-key-regenerated',
  'api-key-revoked',
  'api-keys-revoked-all',
  'password-changed',
  'password-expired',
  'password-unexpired',
  'password-expiry-notice',
  'api-key-read-by-admin',
  'email-changed',
  'user-created',
  'user-updated',
  'user-deleted',
  'user-unlocked',
  'ssh-key-added',
  'ssh-key-removed',
  'lfs-token-issued',
  'bintray-changed',
  'bintray-removed',
  'password-reset-requested',
  'password-reset-used',
  'oauth-bound',
  'oauth-unbound',
  'oauth-sign-in',
  'token-created',
  'token-refreshed',
  'token-revoked',
  'tokens-revoked-all',
  'credential-leaked',
  'api-key-overlap-ended',
  'session-ended',
  'token-expiry-notice',
  'notifications-changed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
