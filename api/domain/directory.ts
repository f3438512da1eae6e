/** An external directory (LDAP) that checks passwords for users of realm `ldap`; Node's adapter is in api/node/ldap.ts. */

export interface DirectoryUser {
  /** The email the directory holds, for users made on first sign-in. */
  email: string | null;
}

export interface Directory {
  /** Binds as the user: their entry when the password is right, null when it is wrong or they are unknown. */
  authenticate(username: string, password: string): Promise<DirectoryUser | null>;
  /** Make users of realm ldap on their first successful sign-in. */
  createUsers: boolean;
}

/** The directory could not be asked (down, unreachable, timed out): not the user's mistake, and not counted as one. */
export class DirectoryUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`directory unavailable (${reason})`);
  }
}

/** RFC 4514: a value placed into a DN. */
export function escapeDnValue(value: string): string {
  return (
    value
      .replace(/[\\,+"<>;=]/g, (ch) => `\\${ch}`)
      .replace(/^([ #])/, '\\$1')
      .replace(/ $/, '\\ ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 4514 escapes NUL; matching it is the point.
      .replace(/\u0000/g, '\\00')
  );
}

/** RFC 4515: a value placed into a search filter. */
export function escapeFilterValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 4515 escapes NUL; matching it is the point.
  return value.replace(/[\\*()\u0000]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
