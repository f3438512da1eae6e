/**
 * The actions of the popup's Account, SSH and Bintray tabs, apart from any rendering: each takes what the
 * user typed and returns what the tab shows next, with the words to announce. A mistake the user can fix
 * here (two new passwords that differ, a blank key) is a KeyfobError before anything is sent; the server's
 * refusals are KeyfobErrors too, so the tab handles both alike.
 */
import type { BintraySummary, BintrayTestReply, OAuthIdentity, ProfileReply, SessionSummary, SshKeyReply } from '../../shared/schemas';
import { KeyfobError, type KeyfobClient } from './api';

export interface Step<T> {
  value: T;
  status: string;
}

const mistake = (message: string) => new KeyfobError('BAD_REQUEST', message);

export async function changePassword(client: KeyfobClient, fields: Record<string, string | undefined>): Promise<Step<ProfileReply>> {
  const { oldPassword = '', newPassword1 = '', newPassword2 = '' } = fields;
  if (!oldPassword || !newPassword1) throw mistake('Enter your current password and a new one.');
  if (newPassword1 !== newPassword2) throw mistake('The new passwords do not match.');
  return {
    value: await client.changePassword(oldPassword, newPassword1, newPassword2),
    status: 'Password changed. Your other sessions were signed out; your API key still works.',
  };
}

export async function changeEmail(client: KeyfobClient, email: string | undefined): Promise<Step<ProfileReply>> {
  const address = (email ?? '').trim();
  if (!address) throw mistake('Enter an email address.');
  return { value: await client.updateEmail(address), status: 'Email changed.' };
}

/** Adds a key to the list shown; an empty name takes the key's own comment (the server's rule). */
export async function addSshKey(client: KeyfobClient, keys: SshKeyReply[], fields: Record<string, string | undefined>): Promise<Step<SshKeyReply[]>> {
  const publicKey = (fields.publicKey ?? '').trim();
  if (!publicKey) throw mistake('Paste the public key (the .pub file).');
  const key = await client.addSshKey((fields.name ?? '').trim(), publicKey);
  return { value: [...keys, key], status: `SSH key “${key.name}” added: ${key.fingerprint}` };
}

export async function removeSshKey(client: KeyfobClient, key: SshKeyReply): Promise<Step<SshKeyReply[]>> {
  return { value: await client.removeSshKey(key.id), status: `SSH key “${key.name}” removed` };
}

export async function saveBintray(client: KeyfobClient, fields: Record<string, string | undefined>): Promise<Step<BintraySummary | null>> {
  const username = (fields.username ?? '').trim();
  const apiKey = (fields.apiKey ?? '').trim();
  if (!username || !apiKey) throw mistake('Enter your Bintray user name and API key.');
  return { value: await client.saveBintray(username, apiKey), status: 'Bintray credentials saved' };
}

export async function removeBintray(client: KeyfobClient): Promise<Step<null>> {
  await client.removeBintray();
  return { value: null, status: 'Bintray credentials removed' };
}

/** Tests what is typed (while editing), else what is saved. */
export function testBintray(client: KeyfobClient, typed: Record<string, string | undefined> | null): Promise<BintrayTestReply> {
  return client.testBintray({ username: typed?.username?.trim() || undefined, apiKey: typed?.apiKey?.trim() || undefined });
}

export async function unbindOAuth(client: KeyfobClient, provider: { id: string; name: string }): Promise<Step<OAuthIdentity[]>> {
  return { value: await client.oauthUnbind(provider.id), status: `${provider.name} unbound` };
}

export async function setInformationalMail(client: KeyfobClient, on: boolean): Promise<Step<ProfileReply>> {
  return {
    value: await client.setInformationalMail(on),
    status: on ? 'Keyfob will mail you before your password or a token expires.' : 'No more expiry reminders by mail; security notices still come.',
  };
}

/** Ends one of the user's other sessions (a lost laptop, a browser not recognised); the list shown next is the server's. */
export async function endSession(client: KeyfobClient, session: SessionSummary): Promise<Step<SessionSummary[]>> {
  await client.endSession(session.id);
  return { value: await client.listSessions(), status: `Session ended: ${session.client}, signed in ${new Date(session.createdAt).toLocaleString()}.` };
}
