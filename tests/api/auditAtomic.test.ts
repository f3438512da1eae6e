/**
 * An audit event commits in the same transaction as the change it records: when the event cannot be written
 * (here a trigger refuses every audit row, standing in for a database that fails mid-way), the change is not
 * made either; and a change that does not happen records no event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { keyFolder } from '../helpers/sshKeys';

const KEY = '/artifactory/api/security/apiKey';
const SSH_KEYS = '/api/v1/profile/sshKeys';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const carol = { basic: ['carol', 'carol-Password-1'] as [string, string] };

describe('audit events and their changes', () => {
  let k: RunningKeyfob;
  const keys = keyFolder();
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('carol', 'carol-Password-1');
  });
  afterAll(async () => {
    keys.remove();
    await k.close();
  });

  const refuseAudit = () => k.sql(`create trigger refuse_audit before insert on audit_events begin select raise(abort, 'audit refused'); end`);
  const allowAudit = () => k.sql('drop trigger if exists refuse_audit');
  const events = async (type: string) => Number((await k.sql('select count(*) as n from audit_events where type = ?', [type]))[0]!.n);

  it('makes no API key, SSH key or user when their event cannot be written', async () => {
    await refuseAudit();
    try {
      expect((await k.call(KEY, { method: 'POST', auth: carol })).status).toBe(500);
      expect(await k.sql('select user_id from api_keys')).toEqual([]);

      const pair = keys.keygen('ed25519');
      expect((await k.call(SSH_KEYS, { method: 'POST', auth: carol, json: { publicKey: pair.publicText } })).status).toBe(500);
      expect(await k.sql('select id from ssh_keys')).toEqual([]);

      const created = await k.call('/artifactory/api/security/users/dave', {
        method: 'PUT',
        auth: admin,
        json: { email: 'dave@example.com', password: 'dave-Password-1' },
      });
      expect(created.status).toBe(500);
      expect(await k.sql(`select id from users where name = 'dave'`)).toEqual([]);
    } finally {
      await allowAudit();
    }
  });

  it('keeps the API key when its revocation cannot be recorded', async () => {
    const made = await k.call(KEY, { method: 'POST', auth: carol });
    expect(made.status).toBe(201);
    const apiKey = made.json.apiKey as string;
    await refuseAudit();
    try {
      expect((await k.call(KEY, { method: 'DELETE', auth: carol })).status).toBe(500);
    } finally {
      await allowAudit();
    }
    await k.settle();
    expect((await k.call('/artifactory/api/system/ping', { headers: { 'X-JFrog-Art-Api': apiKey } })).status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: { basic: ['carol', apiKey] } })).status).toBe(200);
  });

  it('records the event with the change, and none for a change that did not happen', async () => {
    expect((await k.call(KEY, { method: 'DELETE', auth: carol })).status).toBe(200);
    expect(await events('api-key-revoked')).toBe(1);
    // Nothing left to revoke: the call still answers as Artifactory does, and no second event is written.
    await k.call(KEY, { method: 'DELETE', auth: carol });
    expect(await events('api-key-revoked')).toBe(1);

    await k.createUser('erin', 'erin-Password-1');
    const [erin] = await k.sql(`select id from users where name = 'erin'`);
    const created = await k.sql(`select user_id from audit_events where type = 'user-created' and user_id = ?`, [erin!.id as number]);
    expect(created).toHaveLength(1);
    // A second create of the same name is refused, and records nothing.
    const again = await k.call('/artifactory/api/security/users/erin', {
      method: 'PUT',
      auth: admin,
      json: { email: 'erin@example.com', password: 'erin-Password-1' },
    });
    expect(again.status).not.toBe(500);
    expect(await k.sql(`select user_id from audit_events where type = 'user-created' and user_id = ?`, [erin!.id as number])).toHaveLength(1);
  });
});
