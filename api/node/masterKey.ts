import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBase64 } from '@oslojs/encoding';
import { ConfigError } from '../config';
import { MASTER_KEY_LENGTH, MasterKeyError, parseMasterKey } from '../crypto/keyring';
import { PRIVATE_FILE_MODE, privateDir } from './fileModes';

export const MASTER_KEY_FILE = 'master.key';

/**
 * The master key file: read when it exists, made once (32 random bytes, mode 0600) when it does not.
 * Losing it makes every sealed secret unreadable, so it is never overwritten.
 */
export function loadOrCreateMasterKeyFile(dataDir: string): { key: Uint8Array; created: boolean; path: string } {
  const path = join(dataDir, MASTER_KEY_FILE);
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError(`Cannot read the master key ${path} (${code}): fix its permissions, or set KEYFOB_MASTER_KEY`);
  }
  if (text !== null) {
    try {
      return { key: parseMasterKey(text), created: false, path };
    } catch (err) {
      const why = err instanceof MasterKeyError ? err.message : 'is unreadable';
      throw new ConfigError(`The master key ${path} ${why}: restore it from a backup (sealed secrets need it), or set KEYFOB_MASTER_KEY`);
    }
  }
  const key = crypto.getRandomValues(new Uint8Array(MASTER_KEY_LENGTH));
  privateDir(dataDir);
  try {
    // 'wx': if another process made it in the meantime, fail rather than overwrite it.
    writeFileSync(path, `${encodeBase64(key)}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateMasterKeyFile(dataDir);
    throw new ConfigError(
      `Cannot write the master key to ${path} (${(err as NodeJS.ErrnoException).code}): make ${dataDir} writable, or set KEYFOB_MASTER_KEY`,
    );
  }
  return { key, created: true, path };
}
