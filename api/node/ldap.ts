/**
 * LDAP on Node (ldapts): a user signs in by binding as themselves, found either by a DN template or by a
 * search with a service account. ldaps:// URLs use TLS. A directory that cannot be reached is reported
 * as such, never as a wrong password.
 */
import { readFileSync } from 'node:fs';
import { Client, InvalidCredentialsError } from 'ldapts';
import type { LdapSettings } from '../config';
import { DirectoryUnavailableError, escapeDnValue, escapeFilterValue, type Directory } from '../domain/directory';

export function createLdapDirectory(settings: LdapSettings): Directory {
  const tlsOptions = settings.caFile ? { ca: readFileSync(settings.caFile) } : undefined;
  const connect = () => new Client({ url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs, tlsOptions });

  /** Runs `work` on a fresh connection; anything but a refused bind means the directory is unavailable. */
  async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = connect();
    try {
      return await work(client);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) throw err;
      throw new DirectoryUnavailableError((err as { code?: string }).code ?? (err as Error).name);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async function findUserDn(username: string): Promise<{ dn: string; email: string | null } | null> {
    if (settings.userDnTemplate) return { dn: settings.userDnTemplate.replaceAll('{user}', escapeDnValue(username)), email: null };
    const search = settings.search as NonNullable<LdapSettings['search']>;
    return withClient(async (client) => {
      await client.bind(search.bindDn, search.bindPassword);
      const { searchEntries } = await client.search(search.base, {
        scope: 'sub',
        filter: search.filter.replaceAll('{user}', escapeFilterValue(username)),
        attributes: [settings.emailAttribute],
        sizeLimit: 2,
      });
      // Exactly one entry, or nobody: two matches would make the sign-in ambiguous.
      if (searchEntries.length !== 1) return null;
      const entry = searchEntries[0]!;
      return { dn: entry.dn, email: firstValue(entry[settings.emailAttribute]) };
    });
  }

  return {
    createUsers: settings.createUsers,
    async authenticate(username, password) {
      // An empty password is an "unauthenticated bind", which many directories accept: never a sign-in.
      if (!password) return null;
      let found: { dn: string; email: string | null } | null;
      try {
        found = await findUserDn(username);
      } catch (err) {
        if (err instanceof InvalidCredentialsError) throw new DirectoryUnavailableError('service account refused');
        throw err;
      }
      if (!found) return null;
      const { dn } = found;
      try {
        return await withClient(async (client) => {
          await client.bind(dn, password);
          if (found.email !== null) return { email: found.email };
          const { searchEntries } = await client.search(dn, { scope: 'base', attributes: [settings.emailAttribute] });
          return { email: firstValue(searchEntries[0]?.[settings.emailAttribute]) };
        });
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return null;
        throw err;
      }
    },
  };
}

function firstValue(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
