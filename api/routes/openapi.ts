/** Small helpers for declaring routes: the same shapes validate requests and document them. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../auth/credentials';
import { errorResponse } from '../http/errors';
import { z, type ZodType } from 'zod';
import { ErrorReply } from '../../shared/schemas';

export const json = <T extends ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const text = (description: string) => ({
  content: { 'text/plain': { schema: z.string() } },
  description,
});

export const jsonBody = <T extends ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const errorReply = (description: string) => json(ErrorReply, description);

/** The error answers every authenticated call can give. */
export const authErrors = {
  400: errorReply('Malformed request'),
  401: errorReply('Missing or bad credentials'),
  403: errorReply('Not allowed, locked, throttled, or unlock required'),
} as const;

export const notFound = { 404: errorReply('No such user or resource') } as const;
export const conflict = { 409: errorReply('Already exists') } as const;

type SecurityRequirement = Record<string, string[]>;
export const credentialSecurity: SecurityRequirement[] = [{ apiKeyHeader: [] }, { basic: [] }, { bearer: [] }];
export const sessionSecurity: SecurityRequirement[] = [{ bearer: [] }];

/**
 * A route group: every group shares the validation hook, so a bad body or parameter answers 400 in
 * Artifactory's error shape wherever it is sent.
 */
export function routeGroup() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return errorResponse('BAD_REQUEST', `Invalid request: ${where}${issue?.message ?? 'malformed'}`);
    },
  });
}
