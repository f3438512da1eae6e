import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_KINDS, CREDENTIAL_LABELS, mayPerform, OPERATION_LABELS, OPERATIONS, PERMISSIONS, type Permission } from './access';
import type { Principal } from './credentials';
import type { UserRecord } from './records';

const CELL: Record<string, Permission> = { '✓': 'yes', flag: 'flag', '–': 'no' };

describe('the credential × operation table', () => {
  it('is the one docs/security.md prints, cell for cell', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    const header = `| operation | ${CREDENTIAL_KINDS.map((kind) => CREDENTIAL_LABELS[kind]).join(' | ')} |`;
    const lines = doc.split('\n');
    const start = lines.indexOf(header);
    expect(start, 'the table header in docs/security.md').toBeGreaterThan(-1);
    const rows = lines.slice(start + 2, start + 2 + OPERATIONS.length).map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
    for (const [i, operation] of OPERATIONS.entries()) {
      const [label, ...cells] = rows[i] as string[];
      expect(label).toBe(OPERATION_LABELS[operation]);
      expect(cells.map((cell) => CELL[cell])).toEqual(CREDENTIAL_KINDS.map((kind) => PERMISSIONS[operation][kind]));
    }
  });

  const user = (fields: Partial<UserRecord> = {}) => ({ id: 1, admin: false, keysWithoutUnlock: false, ...fields }) as UserRecord;
  const session = (unlockedUntil: number | null) => ({ unlockedUntil }) as Principal['session'];

  it('tells a locked session to unlock where an unlock would do, and says no where it would not', () => {
    const locked: Principal = { user: user({ admin: true }), via: 'session', session: session(null) };
    expect(mayPerform(locked, 'adminChange', 1000)).toMatchObject({ ok: false, code: 'UNLOCK_REQUIRED' });
    expect(mayPerform({ ...locked, session: session(2000) }, 'adminChange', 1000).ok).toBe(true);
    // An unlock that ran out is no unlock.
    expect(mayPerform({ ...locked, session: session(1000) }, 'revealSecrets', 1000)).toMatchObject({ ok: false, code: 'UNLOCK_REQUIRED' });
    expect(mayPerform({ user: user(), via: 'apiKey' }, 'manageApiKey', 0)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it("keeps the keys-without-unlock flag to the user's own keys, never admin powers", () => {
    const flagged: Principal = { user: user({ admin: true, keysWithoutUnlock: true }), via: 'sso' };
    expect(mayPerform(flagged, 'revealSecrets', 0).ok).toBe(true);
    expect(mayPerform(flagged, 'manageApiKey', 0).ok).toBe(true);
    expect(mayPerform(flagged, 'adminChange', 0).ok).toBe(false);
    expect(mayPerform({ ...flagged, user: user({ keysWithoutUnlock: false }) }, 'revealSecrets', 0).ok).toBe(false);
  });

  it('gives admin operations to admins only, whatever the credential', () => {
    for (const via of ['password', 'apiKey', 'encryptedPassword'] as const) {
      expect(mayPerform({ user: user(), via }, 'adminRead', 0)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(mayPerform({ user: user({ admin: true }), via }, 'adminRead', 0).ok).toBe(true);
    }
    expect(mayPerform({ user: user({ admin: true }), via: 'lfsToken' }, 'adminRead', 0).ok).toBe(false);
  });
});
