/**
 * The one error shape, `{"errors":[{"status","message","code"}]}`, for every failure the API answers:
 * domain failures, validation, malformed bodies, and anything unexpected (a 500 with no detail).
 */
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ERROR_STATUS, errorBody, type ErrorCode } from '../../shared/errors';
import type { Failure, Result } from '../domain/result';

/** Artifactory's challenge: scripts (and curl --anyauth) expect it on every 401. */
export const WWW_AUTHENTICATE = 'Basic realm="Artifactory Realm"';

/** Secrets travel in Keyfob's answers: no caching, no sniffing, no framing. */
export const SECURITY_HEADERS = [
  ['cache-control', 'no-store'],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
] as const;

export function errorResponse(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const status = ERROR_STATUS[code];
  const allHeaders: Record<string, string> = { 'content-type': 'application/json', ...Object.fromEntries(SECURITY_HEADERS), ...headers };
  if (status === 401) allHeaders['www-authenticate'] = WWW_AUTHENTICATE;
  return new Response(JSON.stringify(errorBody(code, message)), { status, headers: allHeaders });
}

export class KeyfobHttpError extends HTTPException {
  constructor(failure: Pick<Failure, 'code' | 'message' | 'retryAfterSeconds'>) {
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
    super(ERROR_STATUS[failure.code] as 400, { res: errorResponse(failure.code, failure.message, headers), message: failure.message });
  }
}

export function httpError(code: ErrorCode, message: string): KeyfobHttpError {
  return new KeyfobHttpError({ code, message });
}

/** The value of a domain result, or the HTTP error its failure maps to. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new KeyfobHttpError(result);
  return result.value;
}

function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Hono's own exceptions (malformed JSON, …) keep their status; everything else is logged by name only. */
export function createErrorHandler(log: (line: string) => void): ErrorHandler {
  return (err) => {
    if (err instanceof KeyfobHttpError) return err.getResponse();
    if (err instanceof HTTPException) {
      const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === err.status) ?? 'BAD_REQUEST';
      return errorResponse(code, err.message || 'Bad request');
    }
    if (isSqliteBusy(err)) return errorResponse('UNAVAILABLE', 'The database is busy: try again', { 'retry-after': '1' });
    // Never the message: a driver error can quote the statement, and a statement can hold a secret.
    log(`error: unexpected ${(err as Error)?.name ?? 'error'} (${(err as { code?: string })?.code ?? 'no code'})`);
    return errorResponse('INTERNAL', 'Internal error');
  };
}
