import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../../tests/helpers/keyfob';
import { keyFolder } from '../../tests/helpers/sshKeys';
import { addSshKey, changeEmail, changePassword, removeBintray, removeSshKey, saveBintray } from './account';
import { createKeyfobClient, describeError, KeyfobError, type KeyfobClient } from './api';

/** The Account, SSH and Bintray tabs' actions with the real client against a real server. */
describe('account tab actions', () => {
  let k: RunningKeyfob;
  let client: KeyfobClient;
  const keys = keyFolder();
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => (error instanceof KeyfobError ? { code: error.code, message: describeError(error).message } : error),
    );

  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('abe', 'abe-Password-1');
    client = createKeyfobClient(k.url, (await createKeyfobClient(k.url, null).signIn('abe', 'abe-Password-1')).token);
  });
  afterAll(async () => {
    keys.remove();
    await k.close();
  });

  it('refuses two new passwords that differ before asking the server, and changes the password when they match', async () => {
    const before = Number((await k.sql("select count(*) as n from audit_events where type = 'password-changed'"))[0]!.n);
    expect(await refusal(changePassword(client, { oldPassword: 'abe-Password-1', newPassword1: 'abe-Password-22', newPassword2: 'abe-Password-23' }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'The new passwords do not match.',
    });
    expect(Number((await k.sql("select count(*) as n from audit_events where type = 'password-changed'"))[0]!.n)).toBe(before);
    // The server's own refusal, in its words.
    expect(await refusal(changePassword(client, { oldPassword: 'not-it', newPassword1: 'abe-Password-22', newPassword2: 'abe-Password-22' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'The old password is incorrect',
    });
    const step = await changePassword(client, { oldPassword: 'abe-Password-1', newPassword1: 'abe-Password-22', newPassword2: 'abe-Password-22' });
    expect(step.value.name).toBe('abe');
    expect(step.status).toMatch(/^Password changed/);
    expect((await k.call('/api/v1/session', { method: 'POST', json: { username: 'abe', password: 'abe-Password-22' } })).status).toBe(200);
  });

  it('changes the email, trimmed, and asks for one when it is blank', async () => {
    expect(await refusal(changeEmail(client, '   '))).toEqual({ code: 'BAD_REQUEST', message: 'Enter an email address.' });
    const step = await changeEmail(client, '  abe@new.example.com ');
    expect(step.value.email).toBe('abe@new.example.com');
  });

  it('adds an SSH key to the list, names it from its comment, says when it is already there, and removes it', async () => {
    const pair = keys.keygen('ed25519', undefined, 'abe@laptop');
    const added = await addSshKey(client, [], { name: '  ', publicKey: `  ${pair.publicText}  ` });
    expect(added.value).toHaveLength(1);
    expect(added.value[0]).toMatchObject({ name: 'abe@laptop', fingerprint: pair.keygenLine.split(' ')[1] });
    expect(added.status).toBe(`SSH key “abe@laptop” added: ${added.value[0]!.fingerprint}`);
    // Moment 8 of the popup issue: the server's words, not "You already have an API key".
    const again = await refusal(addSshKey(client, added.value, { name: 'again', publicKey: pair.publicText }));
    expect(again).toMatchObject({ code: 'CONFLICT' });
    expect((again as { message: string }).message).not.toMatch(/API key/);
    expect(await refusal(addSshKey(client, added.value, { publicKey: ' ' }))).toMatchObject({ code: 'BAD_REQUEST' });
    const removed = await removeSshKey(client, added.value[0]!);
    expect(removed).toEqual({ value: [], status: 'SSH key “abe@laptop” removed' });
  });

  it('saves Bintray credentials only with both fields, and removes them', async () => {
    expect(await refusal(saveBintray(client, { username: 'abe', apiKey: ' ' }))).toMatchObject({ code: 'BAD_REQUEST' });
    const saved = await saveBintray(client, { username: ' abe-bt ', apiKey: ' 0123456789abcdef0123456789abcdef01234567 ' });
    expect(saved.value).toMatchObject({ username: 'abe-bt' });
    expect(await client.revealBintrayKey()).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(await removeBintray(client)).toEqual({ value: null, status: 'Bintray credentials removed' });
    expect((await client.profile()).bintray).toBeNull();
  });
});
