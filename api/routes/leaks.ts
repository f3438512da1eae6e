import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { LeakReport, LeakVerdict } from '../../shared/schemas';
import type { AppDeps } from '../deps';
import { handleLeakReport, KEY_ID_HEADER, leakReportTrusted, SIGNATURE_HEADER } from '../domain/leaks';
import { httpError, unwrap } from '../http/errors';
import { authErrors, json, notFound, routeGroup } from './openapi';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Found credentials, reported by GitHub's secret scanning or a scanner of the organisation's own. */
export function leakReportRoutes(deps: AppDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      tags: ['Leak reports'],
      method: 'post',
      path: '/leakReports',
      summary: 'Report found credentials',
      description: [
        "GitHub's secret-scanning partner payload, `[{token, type, url, source}]`. Signed (`Github-Public-Key-Identifier`,",
        '`Github-Public-Key-Signature`: ECDSA P-256 over SHA-256 of the body, by a key in KEYFOB_LEAK_REPORT_KEYS), or unsigned',
        'from an address in KEYFOB_LEAK_REPORT_UNSIGNED_FROM. Each working credential is revoked (or flagged), recorded in its',
        "owner's activity and mailed to them. The answer says per token, by its SHA-256, whether it was valid.",
      ].join(' '),
      // No body validator: one would parse the body before its signature is checked over the bytes sent.
      responses: { 200: json(z.array(LeakVerdict), 'One verdict per reported token, in order'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const settings = deps.settings.leakReports;
      if (!settings) throw httpError('NOT_FOUND', 'Leak reports are not configured on this server');
      // The signature covers the bytes as sent: verified over them, decoded only afterwards.
      const body = new Uint8Array(await c.req.arrayBuffer());
      unwrap(await leakReportTrusted(settings, c.var.requestContext, body, { keyId: c.req.header(KEY_ID_HEADER), signature: c.req.header(SIGNATURE_HEADER) }));
      let parsed: unknown;
      try {
        parsed = JSON.parse(utf8.decode(body));
      } catch {
        throw httpError('BAD_REQUEST', 'The report is not JSON');
      }
      const report = LeakReport.safeParse(parsed);
      if (!report.success) {
        const issue = report.error.issues[0];
        throw httpError(
          'BAD_REQUEST',
          `Invalid report: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'malformed'}; expected [{token, type, url, source}], 1 to 1000 of them`,
        );
      }
      return c.json(await handleLeakReport(deps, c.var.requestContext, settings, report.data), 200);
    },
  );
  return app;
}
