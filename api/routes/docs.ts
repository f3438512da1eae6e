import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../auth/credentials';
import { escapeHtml } from '../http/html';

type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

/**
 * A readable API reference rendered on the server from the OpenAPI document: one page, no scripts, no
 * remote assets, so it works offline and under the strictest content security policy.
 */
/** The parts of an OpenAPI operation the page shows. */
interface OpenApiOperation {
  tags?: string[];
  summary: string;
  description?: string;
  security?: object[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } } | undefined> };
  responses?: Record<string, { description: string }>;
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const sections = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const op = (item as Record<string, OpenApiOperation | undefined>)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      const statuses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><code>${status}</code> ${escapeHtml(r.description)}</li>`)
        .join('');
      const body = op.requestBody?.content?.['application/json']?.schema;
      const bodyRef = body?.$ref ? body.$ref.split('/').pop() : body ? 'JSON' : null;
      const auth = op.security ? op.security.map((s: object) => Object.keys(s)[0]).join(', ') : 'anonymous';
      const entries = sections.get(tag) ?? [];
      entries.push(`<article id="${escapeHtml(method + path)}">
  <h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
  <p><strong>${escapeHtml(op.summary)}</strong>${op.description ? ` ${escapeHtml(op.description)}` : ''}</p>
  <p class="meta">Auth: ${escapeHtml(auth)}${bodyRef ? ` · Body: <a href="#schema-${escapeHtml(bodyRef)}">${escapeHtml(bodyRef)}</a>` : ''}</p>
  <ul>${statuses}</ul>
</article>`);
      sections.set(tag, entries);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`)
    .join('\n');
  const body = [...sections].map(([tag, entries]) => `<section><h2>${escapeHtml(tag)}</h2>${entries.join('\n')}</section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} API reference</title>
<style>
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
article { border-top: 1px solid #8884; padding: .5rem 0; }
.m { font: bold .8rem monospace; padding: .1rem .4rem; border-radius: .25rem; color: #fff; background: #555; }
.get { background: #2a7; } .post { background: #27c; } .put { background: #c80; } .patch { background: #a6c; } .delete { background: #c33; }
.meta { color: #888; font-size: .9rem; } pre { overflow: auto; background: #8881; padding: .5rem; }
</style></head>
<body><h1>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</h1>
<p>${escapeHtml(doc.info.description)} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
${body}
<section><h2>Schemas</h2>${schemas}</section>
</body></html>`;
}
