/**
 * The request log of the real server process: a path is logged decoded, so control characters in it
 * (`%0a`, `%0d`, an ANSI escape, a bidi override, a line separator) must not reach the log as themselves,
 * or a request could write a forged line of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/keyfob';
import { startKeyfobProcess } from '../helpers/process';

describe('the request log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one line per request, whatever its path holds', async () => {
    const server = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: 'admin-Password-1', KEYFOB_LOG_REQUESTS: 'true' });
    const forged = 'GET /artifactory/api/security/apiKey 200 0.4ms';
    const paths = [
      `/x%0a${forged.replaceAll(' ', '%20')}`,
      `/x%0d%0a${forged.replaceAll(' ', '%20')}`,
      '/x%1b[2K%1b[1Gerased',
      '/x%e2%80%aeredro',
      '/x%e2%80%a8separated',
      '/x%5cx0a',
    ];
    for (const path of paths) expect((await call(server.url, path)).status).toBe(404);
    expect(await server.stop()).toBe(0);

    const lines = server.output().split('\n');
    expect(lines.filter((line) => line.startsWith('GET /x'))).toHaveLength(paths.length);
    expect(lines.some((line) => line.startsWith(forged))).toBe(false);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters a forged path must never put in the log.
    expect(server.output()).not.toMatch(/[\r\x1b\u202e\u2028]/);
    const logged = (start: string) =>
      expect(
        lines.find((line) => line.startsWith(start)),
        start,
      ).toBeDefined();
    logged(`GET /x\\x0a${forged} 404 `);
    logged(`GET /x\\x0d\\x0a${forged} 404 `);
    logged('GET /x\\x1b[2K\\x1b[1Gerased 404 ');
    logged('GET /x\\u{202e}redro 404 ');
    logged('GET /x\\u{2028}separated 404 ');
    // A backslash in the path is escaped too, so an escape in the log always means a control character.
    logged('GET /x\\\\x0a 404 ');
  });
});
