/**
 * Replaying a client's requests byte for byte: exactly the headers its HTTP stack sends, in its spelling,
 * and the body as its JSON encoder writes it. `fetch` adds headers of its own (Sec-Fetch-Mode, Accept-Language…),
 * so this goes through node:http, which adds only Host and Connection. Replies are decoded as the clients'
 * own stacks decode them.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface Replayed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  text: string;
  json: any;
}

export interface ReplayRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Sends the request as given: only these headers (node:http adds Host and Connection). */
export function replay(baseUrl: string, req: ReplayRequest): Promise<Replayed> {
  const url = new URL(req.path, baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: req.method, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        // The clients asked with Accept-Encoding and decode transparently, as Go and requests do (workerd compresses).
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const decoded = encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : encoding === 'br' ? brotliDecompressSync(raw) : raw;
        const text = decoded.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, contentType: res.headers['content-type'], text, json });
      });
      res.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** Python's `json.dumps` with its defaults (what requests' `json=` sends): `", "` and `": "`, non-ASCII escaped. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(value);
}

type Body = { json: unknown; encode?: (value: unknown) => string } | { raw: string } | undefined;

export interface ClientProfile {
  /** Headers the client sends on every request, in its spelling. */
  headers: Record<string, string>;
  /** Headers it adds when it sends a JSON body (Content-Type). */
  jsonHeaders: Record<string, string>;
  /** How it encodes JSON. */
  encode: (value: unknown) => string;
  /** Whether it sends `Content-Length: 0` for a request of this method without a body. */
  zeroLength: (method: string) => boolean;
}

/**
 * Go's net/http (Terraform's resty, jfrog-client-go): canonical header names, `Accept-Encoding: gzip`, and
 * `Content-Length: 0` on a POST, PUT or PATCH without a body; encoding/json writes no spaces.
 */
export const goClient = (headers: Record<string, string>): ClientProfile => ({
  headers: { ...headers, 'Accept-Encoding': 'gzip' },
  jsonHeaders: { 'Content-Type': 'application/json' },
  encode: (value) => JSON.stringify(value),
  zeroLength: (method) => ['POST', 'PUT', 'PATCH'].includes(method),
});

/** Python's requests (dohq-artifactory, pyartifactory): its default headers, and `Content-Length: 0` on anything but GET and HEAD. */
export const pythonRequests = (headers: Record<string, string>): ClientProfile => ({
  headers: { 'User-Agent': 'python-requests/2.32.3', 'Accept-Encoding': 'gzip, deflate', Accept: '*/*', Connection: 'keep-alive', ...headers },
  jsonHeaders: { 'Content-Type': 'application/json' },
  encode: pythonJson,
  zeroLength: (method) => !['GET', 'HEAD'].includes(method),
});

/** A client's request: its fixed headers, then the request's own (auth, a body's type and length). */
export function clientRequest(
  profile: ClientProfile,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Body } = {},
): ReplayRequest {
  const headers: Record<string, string> = { ...profile.headers, ...options.headers };
  let body: string | undefined;
  if (options.body && 'json' in options.body) {
    body = (options.body.encode ?? profile.encode)(options.body.json);
    Object.assign(headers, profile.jsonHeaders, options.headers);
  } else if (options.body && 'raw' in options.body) {
    body = options.body.raw;
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  else if (profile.zeroLength(method)) headers['Content-Length'] = '0';
  return { method, path, headers, body };
}

/** A bound client: `send('GET', path, {…})` against one server. */
export function replayer(baseUrl: string, profile: ClientProfile) {
  return (method: string, path: string, options: { headers?: Record<string, string>; body?: Body } = {}) =>
    replay(baseUrl, clientRequest(profile, method, path, options));
}
