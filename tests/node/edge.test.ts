import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/process';

/** Every local module reachable from `entry` by imports that survive compilation (not `import type`), with the bare specifiers each imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    specifiers.push(...[...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
    graph.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) {
      const base = resolve(dirname(file), s);
      visit([`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => existsSync(candidate) && statSync(candidate).isFile())!);
    }
  };
  visit(entry);
  return graph;
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('the app core is edge-clean', () => {
  it.each(['api/app.ts', 'api/worker.ts'])('%s imports nothing from Node, directly or through its modules', (entry) => {
    const graph = importGraph(join(REPO_ROOT, entry));
    expect(graph.size).toBeGreaterThan(10);
    for (const [file, bare] of graph) {
      expect(file, `${file} is Node-only`).not.toMatch(/\/api\/node(\/|\.ts$)/);
      for (const specifier of bare) {
        expect(nodeBuiltins.has(specifier), `${file} imports ${specifier}`).toBe(false);
        expect(specifier, `${file} imports the Node libSQL client`).not.toBe('@libsql/client');
        expect(specifier).not.toBe('@node-rs/argon2');
      }
    }
  });

  it('bundles for Cloudflare Workers with wrangler deploy --dry-run, under 1 MiB', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'keyfob-worker-'));
    try {
      const wrangler = join(REPO_ROOT, 'node_modules', '.bin', 'wrangler');
      await promisify(execFile)(wrangler, ['deploy', '--dry-run', '--outdir', outdir], {
        cwd: REPO_ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      });
      const size = statSync(join(outdir, 'worker.js')).size;
      expect(size).toBeGreaterThan(50_000);
      expect(size).toBeLessThan(1024 * 1024);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
