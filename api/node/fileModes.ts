/**
 * The data folder holds the database (every user's sealed secrets and hashes), the master key and the SSH
 * host key: only Keyfob's own user may read it. Modes are set whatever the umask, and tightened at every
 * start, so a folder made 0755 by an older Keyfob (or by hand) is fixed rather than trusted.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { ConfigError } from '../config';

/** The SSH server's host key in the data folder (here, so boot need not load the SSH library to find it). */
export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** SQLite's companions of a database file: the write-ahead log, its index, and the rollback journal. */
export const DATABASE_COMPANIONS = ['-wal', '-shm', '-journal'];

function tighten(path: string, mode: number): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  // Only ever take permissions away: a folder an operator made 0500 stays so.
  if ((current & ~mode) === 0) return;
  try {
    chmodSync(path, current & mode);
  } catch (err) {
    throw new ConfigError(
      `${path} is readable by other users (mode ${current.toString(8)}) and cannot be changed (${(err as NodeJS.ErrnoException).code}): chmod it to ${mode.toString(8)}`,
    );
  }
}

/** Makes the folder (0700) if it is missing, and takes group and other permissions off it if it exists. */
export function privateDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    throw new ConfigError(`Cannot create the folder ${path} (${(err as NodeJS.ErrnoException).code}): make its parent writable, or set KEYFOB_DATA_DIR`);
  }
  tighten(path, PRIVATE_DIR_MODE);
}

/** Takes group and other permissions off the file, if it exists. */
export function privateFile(path: string): void {
  tighten(path, PRIVATE_FILE_MODE);
}

/**
 * Creates the database file 0600 before SQLite opens it (SQLite then gives its -wal and -shm the same
 * mode), and tightens the file and its companions if they exist already.
 */
export function privateDatabaseFile(path: string): void {
  try {
    closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  } catch (err) {
    throw new ConfigError(
      `Cannot create the database file ${path} (${(err as NodeJS.ErrnoException).code}): check DATABASE_URL and that its folder is writable`,
    );
  }
  for (const suffix of ['', ...DATABASE_COMPANIONS]) privateFile(path + suffix);
}
