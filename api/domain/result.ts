import type { ErrorCode } from '../../shared/errors';

/** A domain failure: a code the routes map to HTTP, and a message safe to show (never a secret). */
export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
}

export type Result<T> = { ok: true; value: T } | Failure;

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, extra?: { retryAfterSeconds?: number }): Failure {
  return { ok: false, code, message, ...extra };
}
