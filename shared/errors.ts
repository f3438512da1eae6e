/**
 * Every error Keyfob answers with, by code. The body is always Artifactory's shape,
 * `{"errors":[{"status":401,"message":"…","code":"BAD_CREDENTIALS"}]}`; `code` is Keyfob's addition so the
 * extension can tell a locked account from an expired session without parsing messages.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  LEGACY_API_KEY: 401,
  /** An access token past its expiry. */
  TOKEN_EXPIRED: 401,
  /** An access token revoked, or replaced by a refresh. */
  TOKEN_REVOKED: 401,
  FORBIDDEN: 403,
  USER_LOCKED: 403,
  THROTTLED: 403,
  UNLOCK_REQUIRED: 403,
  PASSWORD_EXPIRED: 403,
  EXTERNAL_REALM: 403,
  /** A state-changing call that a page of another site made the browser send (CSRF). */
  CROSS_SITE: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** A Host header this server does not answer to (DNS rebinding, a misrouted proxy). */
  MISDIRECTED: 421,
  RATE_LIMITED: 429,
  /** A call of Artifactory's that Keyfob answers only in part (group changes: groups are what users carry). */
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorEntry {
  status: number;
  message: string;
  code?: ErrorCode;
}

export interface ErrorBody {
  errors: ErrorEntry[];
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { errors: [{ status: ERROR_STATUS[code], message, code }] };
}

/** The first error of a reply body, or null when the body is not Keyfob's error shape. */
export function readError(body: unknown): ErrorEntry | null {
  if (typeof body !== 'object' || body === null) return null;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  const first = errors[0] as Partial<ErrorEntry>;
  if (typeof first?.status !== 'number' || typeof first.message !== 'string') return null;
  return first as ErrorEntry;
}
