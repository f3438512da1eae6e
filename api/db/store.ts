import { and, asc, count, eq, exists, gt, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { Realm } from '../../shared/schemas';
import type {
  ApiKeyRecord,
  AuditEvent,
  BintrayRecord,
  OAuthFlowRecord,
  LoginFailureRecord,
  NewUser,
  SessionKind,
  SessionRecord,
  SshKeyRecord,
  Store,
  UserChanges,
  UserRecord,
} from '../domain/ports';
import * as schema from './schema';
import { apiKeys, auditEvents, bintrayCredentials, loginFailures, oauthFlows, oauthIdentities, outbox, passwordResets, sessions, settings, sshKeys, throttles, users } from './schema';

/**
 * The drizzle database Keyfob runs on. libSQL's and D1's drizzle databases share this surface
 * (queries plus `batch`), which is all the store uses.
 */
export type KeyfobDatabase = LibSQLDatabase<typeof schema>;

type Batch = [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]];

function toUser(row: typeof users.$inferSelect): UserRecord {
  return { ...row, realm: row.realm as Realm };
}

function toSession(row: typeof sessions.$inferSelect): SessionRecord {
  return { ...row, kind: row.kind as SessionKind };
}

/** A Store on a drizzle SQLite database (libSQL file or server, or D1). */
export function createDrizzleStore(db: KeyfobDatabase): Store {
  const auditInserts = (events: AuditEvent[]) =>
    events.map((event) => db.insert(auditEvents).values({ ...event, detail: event.detail ?? null }));

  // Atomic: libSQL and D1 both run a batch as one transaction, and neither needs an interactive one.
  const batch = (items: BatchItem<'sqlite'>[]) =>
    items.length === 0 ? Promise.resolve([]) : db.batch(items as Batch);

  return {
    async findUserByNameKey(nameKey) {
      const [row] = await db.select().from(users).where(eq(users.nameKey, nameKey)).limit(1);
      return row ? toUser(row) : null;
    },
    async findUserById(id) {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row ? toUser(row) : null;
    },
    async listUsers() {
      return (await db.select().from(users).orderBy(users.nameKey)).map(toUser);
    },
    async countUsers() {
      const [row] = await db.select({ n: count() }).from(users);
      return row?.n ?? 0;
    },
    async countAdmins() {
      const [row] = await db.select({ n: count() }).from(users).where(eq(users.admin, true));
      return row?.n ?? 0;
    },
    async insertUser(user: NewUser, audit) {
      const insert = db.insert(users).values(user).onConflictDoNothing({ target: users.nameKey }).returning();
      const [inserted] = await batch([insert]).then((r) => r[0] as (typeof users.$inferSelect)[]);
      if (!inserted) return null;
      await batch(auditInserts(audit.map((e) => ({ ...e, userId: e.userId ?? inserted.id }))));
      return toUser(inserted);
    },
    async updateUser(id, changes: UserChanges, audit, options) {
      const items: BatchItem<'sqlite'>[] = [db.update(users).set(changes).where(eq(users.id, id)).returning()];
      if (options && 'endSessionsExcept' in options) {
        const keep = options.endSessionsExcept;
        items.push(
          db.delete(sessions).where(keep ? and(eq(sessions.userId, id), ne(sessions.tokenHash, keep)) : eq(sessions.userId, id)),
        );
      }
      const [updated] = (await batch([...items, ...auditInserts(audit)]))[0] as (typeof users.$inferSelect)[];
      return updated ? toUser(updated) : null;
    },
    async deleteUser(id, audit) {
      // Children first: correctness must not depend on the connection having foreign keys switched on.
      const results = await batch([
        db.delete(apiKeys).where(eq(apiKeys.userId, id)),
        db.delete(sessions).where(eq(sessions.userId, id)),
        db.delete(sshKeys).where(eq(sshKeys.userId, id)),
        db.delete(bintrayCredentials).where(eq(bintrayCredentials.userId, id)),
        db.delete(oauthIdentities).where(eq(oauthIdentities.userId, id)),
        db.delete(passwordResets).where(eq(passwordResets.userId, id)),
        db.delete(auditEvents).where(eq(auditEvents.userId, id)),
        db.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
        ...auditInserts(audit),
      ]);
      return (results[7] as unknown[]).length > 0;
    },

    async findApiKeyByLookupHash(lookupHash) {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.lookupHash, lookupHash)).limit(1);
      return row ?? null;
    },
    async findApiKeyByUserId(userId) {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).limit(1);
      return row ?? null;
    },
    async insertApiKeyIfAbsent(key: ApiKeyRecord, audit) {
      const insert = db.insert(apiKeys).values(key).onConflictDoNothing({ target: apiKeys.userId }).returning({ userId: apiKeys.userId });
      const [inserted] = (await batch([insert]))[0] as unknown[];
      if (!inserted) return false;
      await batch(auditInserts(audit));
      return true;
    },
    async replaceApiKey(key: ApiKeyRecord, audit) {
      const { userId, ...rest } = key;
      await batch([
        db.insert(apiKeys).values(key).onConflictDoUpdate({ target: apiKeys.userId, set: rest }),
        ...auditInserts(audit.map((e) => ({ ...e, userId }))),
      ]);
    },
    async deleteApiKey(userId, audit) {
      const results = await batch([db.delete(apiKeys).where(eq(apiKeys.userId, userId)).returning({ userId: apiKeys.userId })]);
      const deleted = (results[0] as unknown[]).length > 0;
      if (deleted) await batch(auditInserts(audit));
      return deleted;
    },
    async deleteAllApiKeys(audit) {
      const results = await batch([db.select({ n: count() }).from(apiKeys), db.delete(apiKeys), ...auditInserts(audit)]);
      return (results[0] as { n: number }[])[0]?.n ?? 0;
    },
    async touchApiKey(lookupHash, at) {
      await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.lookupHash, lookupHash));
    },

    async recordSignIn(session: SessionRecord, audit) {
      await batch([
        db.insert(sessions).values(session),
        db.update(users).set({ lastLoggedIn: session.createdAt }).where(eq(users.id, session.userId)),
        ...auditInserts(audit),
      ]);
    },
    async findSession(tokenHash) {
      const [row] = await db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).limit(1);
      return row ? toSession(row) : null;
    },
    async insertSession(session, audit) {
      await batch([db.insert(sessions).values(session), ...auditInserts(audit)]);
    },
    async updateSession(tokenHash, changes, audit) {
      await batch([db.update(sessions).set(changes).where(eq(sessions.tokenHash, tokenHash)), ...auditInserts(audit)]);
    },
    async deleteSession(tokenHash, audit) {
      await batch([db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)), ...auditInserts(audit)]);
    },

    async findLoginFailure(nameKey): Promise<LoginFailureRecord | null> {
      const [row] = await db.select().from(loginFailures).where(eq(loginFailures.nameKey, nameKey)).limit(1);
      return row ?? null;
    },
    async recordLoginFailure(nameKey, at, audit) {
      const upsert = db
        .insert(loginFailures)
        .values({ nameKey, failures: 1, lastFailureAt: at })
        .onConflictDoUpdate({
          target: loginFailures.nameKey,
          set: { failures: sql`${loginFailures.failures} + 1`, lastFailureAt: at },
        })
        .returning({ failures: loginFailures.failures });
      const [row] = (await batch([upsert, ...auditInserts(audit)]))[0] as { failures: number }[];
      return row?.failures ?? 1;
    },
    async lockUser(userId, at) {
      await db.update(users).set({ lockedAt: at }).where(eq(users.id, userId));
    },
    async clearLoginFailures(nameKey) {
      await db.delete(loginFailures).where(eq(loginFailures.nameKey, nameKey));
    },
    async unlockUsers(nameKeys, audit) {
      if (nameKeys === null) {
        await batch([db.delete(loginFailures), db.update(users).set({ lockedAt: null }), ...auditInserts(audit)]);
        return;
      }
      if (nameKeys.length === 0) return;
      await batch([
        db.delete(loginFailures).where(inArray(loginFailures.nameKey, nameKeys)),
        db.update(users).set({ lockedAt: null }).where(inArray(users.nameKey, nameKeys)),
        ...auditInserts(audit),
      ]);
    },

    async listSshKeys(userId) {
      return db.select().from(sshKeys).where(eq(sshKeys.userId, userId)).orderBy(sshKeys.createdAt, sshKeys.id);
    },
    async findSshKeyByFingerprint(fingerprint): Promise<SshKeyRecord | null> {
      const [row] = await db.select().from(sshKeys).where(eq(sshKeys.fingerprint, fingerprint)).limit(1);
      return row ?? null;
    },
    async insertSshKey(key, audit) {
      const insert = db.insert(sshKeys).values(key).onConflictDoNothing({ target: sshKeys.fingerprint }).returning();
      const [inserted] = (await batch([insert]))[0] as SshKeyRecord[];
      if (!inserted) return null;
      await batch(auditInserts(audit));
      return inserted;
    },
    async deleteSshKey(userId, id, audit) {
      const mine = and(eq(sshKeys.id, id), eq(sshKeys.userId, userId));
      const results = await batch([
        // The tokens first, and only this user's: the same batch ends the key's access entirely.
        db.delete(sessions).where(and(eq(sessions.sshKeyId, id), eq(sessions.userId, userId))),
        db.delete(sshKeys).where(mine).returning({ id: sshKeys.id }),
      ]);
      const deleted = (results[1] as unknown[]).length > 0;
      if (deleted) await batch(auditInserts(audit));
      return deleted;
    },
    async touchSshKey(id, at) {
      await db.update(sshKeys).set({ lastUsedAt: at }).where(eq(sshKeys.id, id));
    },

    async findBintray(userId): Promise<BintrayRecord | null> {
      const [row] = await db.select().from(bintrayCredentials).where(eq(bintrayCredentials.userId, userId)).limit(1);
      return row ?? null;
    },
    async putBintray(record, audit) {
      const { userId, ...rest } = record;
      await batch([
        db.insert(bintrayCredentials).values(record).onConflictDoUpdate({ target: bintrayCredentials.userId, set: rest }),
        ...auditInserts(audit),
      ]);
    },
    async deleteBintray(userId, audit) {
      const results = await batch([db.delete(bintrayCredentials).where(eq(bintrayCredentials.userId, userId)).returning({ userId: bintrayCredentials.userId })]);
      const deleted = (results[0] as unknown[]).length > 0;
      if (deleted) await batch(auditInserts(audit));
      return deleted;
    },

    async insertPasswordReset(reset, mail, audit) {
      await batch([db.insert(passwordResets).values(reset), db.insert(outbox).values(mail), ...auditInserts(audit)]);
    },
    async findPasswordReset(tokenHash) {
      const [row] = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, tokenHash)).limit(1);
      return row ?? null;
    },
    async completePasswordReset(reset, user, changes, at, audit) {
      // Every later statement runs only if the first one marked the reset used at this very moment:
      // of two uses racing, one changes the password and the other changes nothing.
      const usedNow = exists(
        db.select({ one: sql`1` }).from(passwordResets).where(and(eq(passwordResets.tokenHash, reset.tokenHash), eq(passwordResets.usedAt, at))),
      );
      const results = await batch([
        db
          .update(passwordResets)
          .set({ usedAt: at })
          .where(and(eq(passwordResets.tokenHash, reset.tokenHash), isNull(passwordResets.usedAt)))
          .returning({ tokenHash: passwordResets.tokenHash }),
        db.update(users).set(changes).where(and(eq(users.id, user.id), usedNow)),
        db.delete(sessions).where(and(eq(sessions.userId, user.id), usedNow)),
        db.delete(loginFailures).where(and(eq(loginFailures.nameKey, user.nameKey), usedNow)),
        // Other links of this user die with this one.
        db.update(passwordResets).set({ usedAt: at }).where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt), usedNow)),
      ]);
      const used = (results[0] as unknown[]).length > 0;
      // As elsewhere: the event follows the change it records, and only when the change happened.
      if (used) await batch(auditInserts(audit));
      return used;
    },

    async listDueMail(at, limit) {
      return db
        .select()
        .from(outbox)
        .where(and(isNull(outbox.deliveredAt), lte(outbox.nextAttemptAt, at)))
        .orderBy(asc(outbox.nextAttemptAt))
        .limit(limit);
    },
    async listUndeliveredMail() {
      return db.select().from(outbox).where(isNull(outbox.deliveredAt)).orderBy(asc(outbox.id));
    },
    async markMailDelivered(id, at) {
      await db.update(outbox).set({ deliveredAt: at, lastError: null }).where(eq(outbox.id, id));
    },
    async markMailFailed(id, attempts, nextAttemptAt, error) {
      await db.update(outbox).set({ attempts, nextAttemptAt, lastError: error.slice(0, 500) }).where(eq(outbox.id, id));
    },

    async hitThrottle(bucket, windowMs, at) {
      const upsert = db
        .insert(throttles)
        .values({ bucket, count: 1, windowEndsAt: at + windowMs })
        .onConflictDoUpdate({
          target: throttles.bucket,
          // A window that has run out starts over at one.
          set: {
            count: sql`case when ${throttles.windowEndsAt} <= ${at} then 1 else ${throttles.count} + 1 end`,
            windowEndsAt: sql`case when ${throttles.windowEndsAt} <= ${at} then ${at + windowMs} else ${throttles.windowEndsAt} end`,
          },
        })
        .returning({ count: throttles.count });
      const [row] = (await batch([upsert]))[0] as { count: number }[];
      return row?.count ?? 1;
    },
    async peekThrottle(bucket, at) {
      const [row] = await db.select().from(throttles).where(and(eq(throttles.bucket, bucket), gt(throttles.windowEndsAt, at))).limit(1);
      return row ? { count: row.count, windowEndsAt: row.windowEndsAt } : { count: 0, windowEndsAt: at };
    },

    async listOAuthIdentities(userId) {
      return db.select().from(oauthIdentities).where(eq(oauthIdentities.userId, userId)).orderBy(oauthIdentities.provider);
    },
    async findOAuthIdentity(provider, subject) {
      const [row] = await db.select().from(oauthIdentities).where(and(eq(oauthIdentities.provider, provider), eq(oauthIdentities.subject, subject))).limit(1);
      return row ?? null;
    },
    async insertOAuthIdentity(identity, audit) {
      const insert = db.insert(oauthIdentities).values(identity).onConflictDoNothing().returning({ subject: oauthIdentities.subject });
      const [inserted] = (await batch([insert]))[0] as unknown[];
      if (!inserted) return false;
      await batch(auditInserts(audit));
      return true;
    },
    async deleteOAuthIdentity(userId, provider, audit) {
      const results = await batch([
        db.delete(oauthIdentities).where(and(eq(oauthIdentities.userId, userId), eq(oauthIdentities.provider, provider))).returning({ subject: oauthIdentities.subject }),
      ]);
      const deleted = (results[0] as unknown[]).length > 0;
      if (deleted) await batch(auditInserts(audit));
      return deleted;
    },
    async insertOAuthFlow(flow) {
      await db.insert(oauthFlows).values(flow);
    },
    async findOAuthFlow(stateHash): Promise<OAuthFlowRecord | null> {
      const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.stateHash, stateHash)).limit(1);
      return row ? { ...row, purpose: row.purpose as OAuthFlowRecord['purpose'] } : null;
    },
    async completeOAuthFlow(stateHash, at) {
      const [row] = (await batch([
        db.update(oauthFlows).set({ completedAt: at }).where(and(eq(oauthFlows.stateHash, stateHash), isNull(oauthFlows.completedAt))).returning({ s: oauthFlows.stateHash }),
      ]))[0] as unknown[];
      return row !== undefined;
    },
    async setOAuthFlowSession(stateHash, sealedSession) {
      await db.update(oauthFlows).set({ sealedSession }).where(eq(oauthFlows.stateHash, stateHash));
    },
    async findOAuthFlowByClaim(claimHash): Promise<OAuthFlowRecord | null> {
      const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.claimHash, claimHash)).limit(1);
      return row ? { ...row, purpose: row.purpose as OAuthFlowRecord['purpose'] } : null;
    },
    async takeOAuthFlowSession(stateHash) {
      // One batch, one transaction: of two claims racing, the second reads what the first cleared.
      const [rows] = await batch([
        db.select({ sealed: oauthFlows.sealedSession }).from(oauthFlows).where(eq(oauthFlows.stateHash, stateHash)),
        db.update(oauthFlows).set({ sealedSession: null, claimHash: null }).where(eq(oauthFlows.stateHash, stateHash)),
      ]);
      return (rows as { sealed: string | null }[])[0]?.sealed ?? null;
    },

    async deleteExpired(at, deliveredMailBefore) {
      const expired = [
        [sessions, lte(sessions.expiresAt, at)],
        [passwordResets, lte(passwordResets.expiresAt, at)],
        [oauthFlows, lte(oauthFlows.expiresAt, at)],
        [throttles, lte(throttles.windowEndsAt, at)],
        [outbox, lte(outbox.deliveredAt, deliveredMailBefore)],
      ] as const;
      // Each count and its delete in the same transaction: the counts say exactly what went.
      const results = await batch(
        expired.flatMap(([table, where]) => [db.select({ n: count() }).from(table).where(where), db.delete(table).where(where)]) as unknown as Batch,
      );
      const counted = (i: number) => (results[2 * i] as { n: number }[])[0]?.n ?? 0;
      return { sessions: counted(0), passwordResets: counted(1), oauthFlows: counted(2), throttles: counted(3), deliveredMail: counted(4) };
    },

    async getSetting<T>(key: string) {
      const [row] = await db.select().from(settings).where(eq(settings.key, key)).limit(1);
      return row ? (row.value as T) : null;
    },
    async deleteSetting(key) {
      await db.delete(settings).where(eq(settings.key, key));
    },
    async putSetting<T>(key: string, value: T) {
      await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
    },

    async listAuditEvents(userId, limit) {
      const rows = await db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.userId, userId))
        .orderBy(sql`${auditEvents.at} desc, ${auditEvents.id} desc`)
        .limit(limit);
      return rows.map(({ id: _id, ...event }) => ({ ...event, type: event.type as AuditEvent['type'], detail: event.detail ?? undefined }));
    },
  };
}
