import { and, asc, count, eq, exists, getTableColumns, gt, gte, inArray, is, isNotNull, isNull, lt, lte, ne, or, SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { alias, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Realm } from '../../shared/schemas';
import { NO_OVERLAP } from '../domain/apiKeyOverlap';
import { DAY_MS } from '../domain/expiryReminders';
import type { Store } from '../domain/ports';
import { CLIENTS_KEPT, USAGE_KEPT_DAYS, type UsageClient } from '../domain/usage';
import type {
  AccessTokenRecord,
  ApiKeyRecord,
  AuditEvent,
  BintrayRecord,
  OAuthFlowRecord,
  LoginFailureRecord,
  NewOutboxMessage,
  NewUser,
  SessionKind,
  SessionRecord,
  SshKeyRecord,
  TokenSelection,
  UserChanges,
  UserRecord,
} from '../domain/records';
import type * as schema from './schema';
import {
  accessTokens,
  apiKeys,
  auditEvents,
  bintrayCredentials,
  credentialClients,
  credentialUsage,
  knownBrowsers,
  loginFailures,
  oauthFlows,
  oauthIdentities,
  outbox,
  passwordResets,
  samlRequests,
  sessions,
  settings,
  sshKeys,
  throttles,
  users,
} from './schema';

/**
 * The drizzle database Keyfob runs on. libSQL's and D1's drizzle databases share this surface
 * (queries plus `batch`), which is all the store uses.
 */
export type KeyfobDatabase = LibSQLDatabase<typeof schema>;

type Batch = [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]];

/** D1 binds at most 100 parameters per statement: rows and lists go in groups that stay under it. */
const D1_PARAMETERS = 100;

function inGroups<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

function toUser(row: typeof users.$inferSelect): UserRecord {
  return { ...row, realm: row.realm as Realm };
}

function toAccessToken(row: typeof accessTokens.$inferSelect): AccessTokenRecord {
  return { ...row, revokedReason: row.revokedReason as AccessTokenRecord['revokedReason'] };
}

function toSession(row: typeof sessions.$inferSelect): SessionRecord {
  return { ...row, kind: row.kind as SessionKind };
}

function asFlow(row: typeof oauthFlows.$inferSelect): OAuthFlowRecord {
  return { ...row, purpose: row.purpose as OAuthFlowRecord['purpose'] };
}

/** How long a name's failures from one address are remembered once they stop. */
const ADDRESS_FAILURES_KEPT_MS = 60 * 60_000;

/** A Store on a drizzle SQLite database (libSQL file or server, or D1). */
export function createDrizzleStore(db: KeyfobDatabase): Store {
  const auditInserts = (events: AuditEvent[]) => events.map((event) => db.insert(auditEvents).values({ ...event, detail: event.detail ?? null }));

  /**
   * An insert that happens only where `condition` holds when the batch reaches it, so a row that records a
   * change (an audit event, a mail) commits in the change's own transaction, and only when the change happened.
   * A value may be SQL (the id of a row the batch just made).
   */
  const insertWhere = <T extends SQLiteTable>(table: T, row: { [K in keyof T['$inferInsert']]?: T['$inferInsert'][K] | SQL }, condition: SQL) => {
    // In the table's column order, as drizzle names the columns of an insert from a select.
    const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
      const value = key in row ? (row as Record<string, unknown>)[key] : column.default;
      if (is(value, SQL)) return value;
      return value === undefined || value === null ? sql`null` : sql`${column.mapToDriverValue(value)}`;
    });
    return db.insert(table).select(sql`select ${sql.join(values, sql`, `)} where ${condition}`);
  };

  /** SQLite's `changes()`: the statement just before changed a row. Each event then inserts one, so the chain holds. */
  const changed = sql`changes() > 0`;
  /** Mail (a notice of the change) queued only where `condition` holds: in the change's batch, only if it happened. */
  const mailInsertsWhere = (mail: NewOutboxMessage[], condition: SQL) => mail.map((message) => insertWhere(outbox, message, condition));
  const auditInsertsWhere = (events: AuditEvent[], condition: SQL, userId?: SQL) =>
    events.map((event) => insertWhere(auditEvents, { ...event, userId: event.userId ?? userId ?? null, detail: event.detail ?? null }, condition));

  /** Revokes the selected tokens, their families, and down the tree every family a token of theirs made. */
  const revokeTokens = (selection: TokenSelection, at: number) => {
    const seed = selection === 'all' ? sql`1 = 1` : 'id' in selection ? sql`id = ${selection.id}` : sql`user_id = ${selection.userId}`;
    const which =
      selection === 'all'
        ? undefined
        : sql`coalesce(${accessTokens.familyId}, ${accessTokens.id}) in (with recursive families(f) as (
            select coalesce(family_id, id) from access_tokens where ${seed}
            union select coalesce(t.family_id, t.id) from access_tokens t join families on t.parent_family_id = families.f
          ) select f from families)`;
    return (
      db
        .update(accessTokens)
        .set({ revokedAt: at, revokedReason: 'revoked', refreshHash: null })
        // Tokens still in a refresh overlap (ended ahead, at revokedAt) end now too.
        .where(and(which, or(isNull(accessTokens.revokedAt), gt(accessTokens.revokedAt, at))))
        .returning({ id: accessTokens.id })
    );
  };

  // Atomic: libSQL and D1 both run a batch as one transaction, and neither needs an interactive one.
  const batch = (items: BatchItem<'sqlite'>[]) => (items.length === 0 ? Promise.resolve([]) : db.batch(items as Batch));

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
      const newUserId = sql`(select ${users.id} from ${users} where ${users.nameKey} = ${user.nameKey})`;
      const [inserted] = await batch([insert, ...auditInsertsWhere(audit, changed, newUserId)]).then((r) => r[0] as (typeof users.$inferSelect)[]);
      return inserted ? toUser(inserted) : null;
    },
    async updateUser(id, changes: UserChanges, audit, options) {
      const items: BatchItem<'sqlite'>[] = [db.update(users).set(changes).where(eq(users.id, id)).returning()];
      if (options && 'endSessionsExcept' in options) {
        const keep = options.endSessionsExcept;
        items.push(db.delete(sessions).where(keep ? and(eq(sessions.userId, id), ne(sessions.tokenHash, keep)) : eq(sessions.userId, id)));
      }
      for (const mail of options?.mail ?? []) items.push(db.insert(outbox).values(mail));
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
        db.delete(accessTokens).where(eq(accessTokens.userId, id)),
        db.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
        ...auditInsertsWhere(audit, changed),
      ]);
      return (results[8] as unknown[]).length > 0;
    },
    async recordAudit(audit) {
      await batch(auditInserts(audit));
    },
    async setPasswordsExpired(nameKeys, expired, at, audit) {
      if (nameKeys !== null && nameKeys.length === 0) return 0;
      // Only Keyfob passwords expire: a directory's users could never renew theirs here.
      const who = and(
        nameKeys === null ? undefined : inArray(users.nameKey, nameKeys),
        eq(users.realm, 'internal'),
        isNotNull(users.passwordHash),
        // Unexpiring also restarts an aged password, whose flag may never have been set.
        expired ? eq(users.passwordExpired, false) : undefined,
      );
      // Unexpired, a password's age starts again now: with an expiration policy it would otherwise stay expired.
      const changes = expired
        ? { passwordExpired: true, updatedAt: at }
        : { passwordExpired: false, passwordChangedAt: at, passwordNoticeDays: null, updatedAt: at };
      const results = await batch([db.update(users).set(changes).where(who).returning({ id: users.id }), ...auditInserts(audit)]);
      return (results[0] as unknown[]).length;
    },
    async listPasswordNoticeCandidates(changedAfter, changedBefore) {
      const rows = await db
        .select()
        .from(users)
        .where(
          and(
            eq(users.realm, 'internal'),
            isNotNull(users.passwordHash),
            eq(users.internalPasswordDisabled, false),
            eq(users.passwordExpired, false),
            isNotNull(users.email),
            // Reminders are informational mail: the user may have turned it off.
            eq(users.notifyInformational, true),
            gt(users.passwordChangedAt, changedAfter),
            lte(users.passwordChangedAt, changedBefore),
            // The last notice (1 day ahead) sent: nothing left to send for this password.
            or(isNull(users.passwordNoticeDays), gt(users.passwordNoticeDays, 1)),
          ),
        )
        .orderBy(users.passwordChangedAt)
        .limit(1000);
      return rows.map(toUser);
    },
    async claimPasswordNotice(userId, passwordStamp, days, mail, audit) {
      // One statement decides, so of two processes sweeping at once only one sends the notice; the mail and
      // its event follow in the same transaction, only if the claim changed the row.
      const claim = db
        .update(users)
        .set({ passwordNoticeDays: days })
        .where(and(eq(users.id, userId), eq(users.passwordStamp, passwordStamp), or(isNull(users.passwordNoticeDays), gt(users.passwordNoticeDays, days))))
        .returning({ id: users.id });
      const results = await batch([claim, insertWhere(outbox, mail, changed), ...auditInsertsWhere(audit, changed)]);
      return (results[0] as unknown[]).length > 0;
    },
    async listGroupNames() {
      const rows = await db
        .selectDistinct({ name: sql<string>`member_of.value` })
        .from(users)
        .innerJoin(sql`json_each(${users.groups}) as member_of`, sql`1 = 1`)
        .orderBy(sql`member_of.value`);
      return rows.map((row) => row.name);
    },
    async listGroupMembers(group) {
      const rows = await db
        .select({ name: users.name })
        .from(users)
        .where(sql`exists (select 1 from json_each(${users.groups}) where json_each.value = ${group})`)
        .orderBy(users.nameKey);
      return rows.map((row) => row.name);
    },
    async listLockCandidates() {
      const rows = await db
        .select({ user: users, failures: loginFailures.failures })
        // From the counts (few) to their users (by the unique name key): no scan of every user.
        .from(loginFailures)
        .innerJoin(users, eq(users.nameKey, loginFailures.nameKey))
        .orderBy(users.nameKey);
      return rows.map((row) => ({ user: toUser(row.user), failures: row.failures }));
    },

    async findApiKeyByLookupHash(lookupHash) {
      // The current key, or the one it replaced while that overlaps it (each column has its unique index).
      const [row] = await db
        .select()
        .from(apiKeys)
        .where(or(eq(apiKeys.lookupHash, lookupHash), eq(apiKeys.previousLookupHash, lookupHash)))
        .limit(1);
      return row ?? null;
    },
    async findApiKeyByUserId(userId) {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).limit(1);
      return row ?? null;
    },
    async anyApiKeyBelowFormat(format) {
      const [row] = await db
        .select({ userId: apiKeys.userId })
        .from(apiKeys)
        .where(or(lt(apiKeys.formatVersion, format), and(isNotNull(apiKeys.previousLookupHash), lt(apiKeys.previousFormatVersion, format))))
        .limit(1);
      return row !== undefined;
    },
    async insertApiKeyIfAbsent(key: ApiKeyRecord, audit) {
      const insert = db.insert(apiKeys).values(key).onConflictDoNothing({ target: apiKeys.userId }).returning({ userId: apiKeys.userId });
      const [inserted] = (await batch([insert, ...auditInsertsWhere(audit, changed)]))[0] as unknown[];
      return inserted !== undefined;
    },
    async replaceApiKey(key: ApiKeyRecord, audit) {
      const { userId, ...rest } = key;
      await batch([
        db.insert(apiKeys).values(key).onConflictDoUpdate({ target: apiKeys.userId, set: rest }),
        ...auditInserts(audit.map((e) => ({ ...e, userId }))),
      ]);
    },
    async deleteApiKey(userId, audit, mail = []) {
      const results = await batch([
        db.delete(apiKeys).where(eq(apiKeys.userId, userId)).returning({ userId: apiKeys.userId }),
        ...auditInsertsWhere(audit, changed),
        ...mailInsertsWhere(mail, changed),
      ]);
      return (results[0] as unknown[]).length > 0;
    },
    async deleteAllApiKeys(audit, notice) {
      // The notice first: it goes to the owners of the keys about to be deleted.
      const mail = notice
        ? [
            db
              .insert(outbox)
              .select(
                sql`select null, ${users.email}, ${notice.subject}, ${notice.sealedBody}, ${notice.createdAt}, 0, ${notice.nextAttemptAt}, null, null from ${users} where ${users.email} is not null and ${users.id} != ${notice.exceptUserId} and ${users.id} in (select ${apiKeys.userId} from ${apiKeys})`,
              ),
          ]
        : [];
      const results = await batch([db.select({ n: count() }).from(apiKeys), ...mail, db.delete(apiKeys), ...auditInserts(audit)]);
      return (results[0] as { n: number }[])[0]?.n ?? 0;
    },
    async insertAccessToken(token, audit, mail = []) {
      await batch([db.insert(accessTokens).values(token), ...auditInserts(audit), ...mail.map((message) => db.insert(outbox).values(message))]);
    },
    async findAccessToken(id) {
      const [row] = await db.select().from(accessTokens).where(eq(accessTokens.id, id)).limit(1);
      return row ? toAccessToken(row) : null;
    },
    async findAccessTokenByReference(referenceHash) {
      const [row] = await db.select().from(accessTokens).where(eq(accessTokens.referenceHash, referenceHash)).limit(1);
      return row ? toAccessToken(row) : null;
    },
    async findAccessTokenByRefresh(refreshHash) {
      const [row] = await db.select().from(accessTokens).where(eq(accessTokens.refreshHash, refreshHash)).limit(1);
      return row ? toAccessToken(row) : null;
    },
    async listAccessTokens(userId, options = {}) {
      const conditions = [userId === null ? undefined : eq(accessTokens.userId, userId), options.includeRevoked ? undefined : isNull(accessTokens.revokedAt)];
      const rows = await db
        .select()
        .from(accessTokens)
        .where(and(...conditions))
        .orderBy(sql`${accessTokens.createdAt} desc, ${accessTokens.id}`);
      return rows.map(toAccessToken);
    },
    async listTokenReminderCandidates(now, reminderDays) {
      if (reminderDays.length === 0) return [];
      // Only tokens with a reminder to send now, so tokens already reminded cannot crowd out the rest of the
      // bound: for some reminder, its moment has come, came after the token was made, and none that near went.
      const due = reminderDays.map((days) => {
        const moment = sql`${accessTokens.expiresAt} - ${days * DAY_MS}`;
        return sql`(${moment} <= ${now} and ${moment} > ${accessTokens.createdAt} and (${accessTokens.noticeDays} is null or ${accessTokens.noticeDays} > ${days}))`;
      });
      const rows = await db
        .select({ token: accessTokens, user: users })
        .from(accessTokens)
        .innerJoin(users, eq(users.id, accessTokens.userId))
        .where(
          and(
            isNull(accessTokens.revokedAt),
            isNotNull(accessTokens.expiresAt),
            gt(accessTokens.expiresAt, now),
            isNotNull(users.email),
            eq(users.notifyInformational, true),
            or(...due),
          ),
        )
        .orderBy(accessTokens.expiresAt)
        .limit(1000);
      return rows.map((row) => ({ token: toAccessToken(row.token), user: toUser(row.user) }));
    },
    async claimTokenReminder(tokenId, days, mail, audit) {
      // As claimPasswordNotice: one statement decides which process sends it, the mail and its event follow only if it did.
      const claim = db
        .update(accessTokens)
        .set({ noticeDays: days })
        .where(and(eq(accessTokens.id, tokenId), isNull(accessTokens.revokedAt), or(isNull(accessTokens.noticeDays), gt(accessTokens.noticeDays, days))))
        .returning({ id: accessTokens.id });
      const results = await batch([claim, insertWhere(outbox, mail, changed), ...auditInsertsWhere(audit, changed)]);
      return (results[0] as unknown[]).length > 0;
    },
    async revokeAccessTokens(selection, at, audit, mail = []) {
      const results = await batch([revokeTokens(selection, at), ...mailInsertsWhere(mail, changed), ...auditInserts(audit)]);
      // Counted from the rows returned: D1 and libSQL report affected rows differently.
      return (results[0] as unknown[]).length;
    },
    async recordLeak(target, at, audit, mail) {
      const revoke =
        target === null
          ? null
          : 'apiKeyLookupHash' in target
            ? db.delete(apiKeys).where(eq(apiKeys.lookupHash, target.apiKeyLookupHash)).returning({ userId: apiKeys.userId })
            : 'previousApiKeyLookupHash' in target
              ? db.update(apiKeys).set(NO_OVERLAP).where(eq(apiKeys.previousLookupHash, target.previousApiKeyLookupHash)).returning({ userId: apiKeys.userId })
              : 'tokenId' in target
                ? revokeTokens({ id: target.tokenId }, at)
                : db.delete(sessions).where(eq(sessions.tokenHash, target.sessionHash)).returning({ userId: sessions.userId });
      if (revoke === null) {
        await batch([...mail.map((message) => db.insert(outbox).values(message)), ...auditInserts(audit)]);
        return true;
      }
      const results = await batch([revoke, ...mailInsertsWhere(mail, changed), ...auditInsertsWhere(audit, changed)]);
      return (results[0] as unknown[]).length > 0;
    },
    async replaceRefreshedToken(oldId, refreshHash, token, audit, oldEndsAt = token.createdAt) {
      const live = and(eq(accessTokens.id, oldId), eq(accessTokens.refreshHash, refreshHash), isNull(accessTokens.revokedAt));
      // The insert comes first and only happens while the old token is live; the update then retires it.
      // In one transaction, so a concurrent refresh of the same token finds it retired and writes nothing.
      // The values in the table's column order (drizzle inserts a select into every column); the new token's
      // expiry is its own, so its reminders (notice_days) start again.
      const insert = db
        .insert(accessTokens)
        .select(
          sql`select ${token.id}, ${token.userId}, ${token.scope}, ${token.description}, ${token.audience}, ${token.refreshable ? 1 : 0}, ${token.refreshHash}, ${token.referenceHash}, ${token.createdAt}, ${token.expiresAt}, null, null, null, ${token.familyId}, ${token.parentFamilyId}, null where exists (select 1 from ${accessTokens} where ${live})`,
        )
        .returning({ id: accessTokens.id });
      const results = await batch([
        insert,
        // The spent refresh hash stays on the retired row: if it comes back, the family is ended (reuse).
        // Marked refreshed at once; with an overlap it works until oldEndsAt, ahead.
        db.update(accessTokens).set({ revokedAt: oldEndsAt, revokedReason: 'refreshed' }).where(live),
        ...auditInserts(audit),
      ]);
      return (results[0] as unknown[]).length === 1;
    },
    async touchAccessToken(id, at) {
      await db.update(accessTokens).set({ lastUsedAt: at }).where(eq(accessTokens.id, id));
    },
    async anyLiveTokenCreatedBefore(kind, before, now) {
      if (kind === 'session') {
        const [row] = await db
          .select({ tokenHash: sessions.tokenHash })
          .from(sessions)
          .where(and(lt(sessions.createdAt, before), gt(sessions.expiresAt, now)))
          .limit(1);
        return row !== undefined;
      }
      const sibling = alias(accessTokens, 'sibling');
      const live =
        kind === 'reference'
          ? and(
              isNotNull(accessTokens.referenceHash),
              // Live: not ended, or refreshed with an overlap that runs on.
              or(isNull(accessTokens.revokedAt), gt(accessTokens.revokedAt, now)),
              or(isNull(accessTokens.expiresAt), gt(accessTokens.expiresAt, now)),
            )
          : and(
              isNotNull(accessTokens.refreshHash),
              or(
                isNull(accessTokens.revokedAt),
                // A spent one matters while its family lives: presented again, it ends the family.
                and(
                  eq(accessTokens.revokedReason, 'refreshed'),
                  exists(
                    db
                      .select({ id: sibling.id })
                      .from(sibling)
                      .where(
                        and(
                          sql`coalesce(${sibling.familyId}, ${sibling.id}) = coalesce(${accessTokens.familyId}, ${accessTokens.id})`,
                          isNull(sibling.revokedAt),
                        ),
                      ),
                  ),
                ),
              ),
            );
      const [row] = await db
        .select({ id: accessTokens.id })
        .from(accessTokens)
        .where(and(lt(accessTokens.createdAt, before), live))
        .limit(1);
      return row !== undefined;
    },
    async touchApiKey(lookupHash, at) {
      const current = eq(apiKeys.lookupHash, lookupHash);
      const previous = eq(apiKeys.previousLookupHash, lookupHash);
      await db
        .update(apiKeys)
        .set({
          lastUsedAt: sql`case when ${current} then ${at} else ${apiKeys.lastUsedAt} end`,
          previousLastUsedAt: sql`case when ${previous} then ${at} else ${apiKeys.previousLastUsedAt} end`,
        })
        .where(or(current, previous));
    },
    async recordUsage(rollups) {
      const days = rollups.flatMap((r) => r.daily.map((d) => ({ credential: r.credential, day: d.day, uses: d.uses })));
      const clients = rollups.flatMap((r) => r.clients.map((c) => ({ credential: r.credential, ...c })));
      const items: BatchItem<'sqlite'>[] = [
        ...inGroups(days, Math.floor(D1_PARAMETERS / 3)).map((group) =>
          db
            .insert(credentialUsage)
            .values(group)
            .onConflictDoUpdate({ target: [credentialUsage.credential, credentialUsage.day], set: { uses: sql`${credentialUsage.uses} + excluded.uses` } }),
        ),
        ...inGroups(clients, Math.floor(D1_PARAMETERS / 4)).map((group) =>
          db
            .insert(credentialClients)
            .values(group)
            .onConflictDoUpdate({
              target: [credentialClients.credential, credentialClients.clientAddress, credentialClients.userAgent],
              set: { lastUsedAt: sql`max(${credentialClients.lastUsedAt}, excluded.last_used_at)` },
            }),
        ),
      ];
      // One batch: the counts of a flush are all written, or none (and the domain counts them again).
      await batch(items);
    },
    async listUsage(credentials, sinceDay) {
      const groups = inGroups(credentials, D1_PARAMETERS - 1);
      const [days, clients] = await Promise.all([
        Promise.all(
          groups.map((group) =>
            db
              .select()
              .from(credentialUsage)
              .where(and(inArray(credentialUsage.credential, group), gte(credentialUsage.day, sinceDay))),
          ),
        ),
        Promise.all(groups.map((group) => db.select().from(credentialClients).where(inArray(credentialClients.credential, group)))),
      ]);
      const rollups = new Map(
        credentials.map((credential) => [credential, { credential, daily: [] as { day: number; uses: number }[], clients: [] as UsageClient[] }]),
      );
      for (const row of days.flat()) rollups.get(row.credential)?.daily.push({ day: row.day, uses: row.uses });
      for (const { credential, ...client } of clients.flat()) rollups.get(credential)?.clients.push(client);
      return [...rollups.values()].filter((r) => r.daily.length > 0 || r.clients.length > 0);
    },
    async endApiKeyOverlap(userId, audit) {
      const results = await batch([
        db
          .update(apiKeys)
          .set(NO_OVERLAP)
          .where(and(eq(apiKeys.userId, userId), isNotNull(apiKeys.previousLookupHash)))
          .returning({ userId: apiKeys.userId }),
        ...auditInsertsWhere(audit, changed),
      ]);
      return (results[0] as unknown[]).length > 0;
    },

    async recordSignIn(session: SessionRecord, audit, browser) {
      const remember = browser
        ? [
            db
              .insert(knownBrowsers)
              .values({ userId: session.userId, browser: browser.name, firstSeenAt: session.createdAt })
              .onConflictDoNothing()
              .returning({ userId: knownBrowsers.userId }),
            // Only right after a browser was added, and only when it is not the user's first.
            ...browser.newBrowserMail.map((message) =>
              insertWhere(
                outbox,
                message,
                sql`changes() > 0 and (select count(*) from ${knownBrowsers} where ${knownBrowsers.userId} = ${session.userId}) > 1`,
              ),
            ),
          ]
        : [];
      const results = await batch([
        db.insert(sessions).values(session),
        db.update(users).set({ lastLoggedIn: session.createdAt }).where(eq(users.id, session.userId)),
        ...auditInserts(audit),
        ...remember,
      ]);
      return browser ? (results[2 + audit.length] as unknown[]).length > 0 : false;
    },
    async findSession(tokenHash) {
      const [row] = await db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).limit(1);
      return row ? toSession(row) : null;
    },
    async listSessions(userId, at) {
      const rows = await db
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), eq(sessions.kind, 'browser'), gt(sessions.expiresAt, at)))
        .orderBy(sql`${sessions.createdAt} desc`);
      return rows.map(toSession);
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

    async findLoginFailure(key): Promise<LoginFailureRecord | null> {
      const [row] = await db.select().from(loginFailures).where(eq(loginFailures.nameKey, key)).limit(1);
      return row ?? null;
    },
    async loadLoginFailure(key): Promise<LoginFailureRecord | null> {
      const [row] = await db.select().from(loginFailures).where(eq(loginFailures.nameKey, key)).limit(1);
      return row ?? null;
    },
    async reserveLoginAttempt(key, seen, at) {
      const written = seen
        ? db
            .update(loginFailures)
            .set({ failures: seen.failures + 1, lastFailureAt: at })
            .where(and(eq(loginFailures.nameKey, key), eq(loginFailures.failures, seen.failures), eq(loginFailures.lastFailureAt, seen.lastFailureAt)))
            .returning({ failures: loginFailures.failures })
        : db
            .insert(loginFailures)
            .values({ nameKey: key, failures: 1, lastFailureAt: at })
            .onConflictDoNothing()
            .returning({ failures: loginFailures.failures });
      return (await written).length === 1;
    },
    async releaseLoginAttempt(key, seen, at) {
      const counted = and(eq(loginFailures.nameKey, key), eq(loginFailures.failures, (seen?.failures ?? 0) + 1), eq(loginFailures.lastFailureAt, at));
      await (seen
        ? db.update(loginFailures).set({ failures: seen.failures, lastFailureAt: seen.lastFailureAt }).where(counted)
        : db.delete(loginFailures).where(counted));
    },
    async recordSignInFailure(lock, audit) {
      await batch([...(lock ? [db.update(users).set({ lockedAt: lock.at }).where(eq(users.id, lock.userId))] : []), ...auditInserts(audit)]);
    },
    async clearLoginFailures(keys) {
      if (keys.length > 0) await db.delete(loginFailures).where(inArray(loginFailures.nameKey, keys));
    },
    async unlockUsers(nameKeys, audit) {
      if (nameKeys === null) {
        await batch([db.delete(loginFailures), db.update(users).set({ lockedAt: null }), ...auditInserts(audit)]);
        return;
      }
      if (nameKeys.length === 0) return;
      // A name's own count, and its counts per client address (`name-key address`: a space, then '!' is
      // next), thirty names a statement: three bound values a name, and D1 takes at most 100 a statement.
      const chunks = Array.from({ length: Math.ceil(nameKeys.length / 30) }, (_, i) => nameKeys.slice(i * 30, i * 30 + 30));
      await batch([
        ...chunks.map((chunk) =>
          db
            .delete(loginFailures)
            .where(
              or(
                inArray(loginFailures.nameKey, chunk),
                ...chunk.map((key) => and(gte(loginFailures.nameKey, `${key} `), lt(loginFailures.nameKey, `${key}!`))),
              ),
            ),
        ),
        ...chunks.map((chunk) => db.update(users).set({ lockedAt: null }).where(inArray(users.nameKey, chunk))),
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
    async insertSshKey(key, audit, mail = []) {
      const insert = db.insert(sshKeys).values(key).onConflictDoNothing({ target: sshKeys.fingerprint }).returning();
      const inserted = [insert, ...auditInsertsWhere(audit, changed), ...mailInsertsWhere(mail, changed)];
      const [row] = (await batch(inserted))[0] as SshKeyRecord[];
      return row ?? null;
    },
    async deleteSshKey(userId, id, audit) {
      const mine = and(eq(sshKeys.id, id), eq(sshKeys.userId, userId));
      const results = await batch([
        // The tokens first, and only this user's: the same batch ends the key's access entirely.
        db.delete(sessions).where(and(eq(sessions.sshKeyId, id), eq(sessions.userId, userId))),
        db.delete(sshKeys).where(mine).returning({ id: sshKeys.id }),
        ...auditInsertsWhere(audit, changed),
      ]);
      return (results[1] as unknown[]).length > 0;
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
      await batch([db.insert(bintrayCredentials).values(record).onConflictDoUpdate({ target: bintrayCredentials.userId, set: rest }), ...auditInserts(audit)]);
    },
    async deleteBintray(userId, audit) {
      const results = await batch([
        db.delete(bintrayCredentials).where(eq(bintrayCredentials.userId, userId)).returning({ userId: bintrayCredentials.userId }),
        ...auditInsertsWhere(audit, changed),
      ]);
      return (results[0] as unknown[]).length > 0;
    },

    async insertPasswordReset(reset, mail, audit) {
      await batch([db.insert(passwordResets).values(reset), db.insert(outbox).values(mail), ...auditInserts(audit)]);
    },
    async findPasswordReset(tokenHash) {
      const [row] = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, tokenHash)).limit(1);
      return row ?? null;
    },
    async completePasswordReset(reset, user, changes, at, audit, mail = []) {
      // Every later statement runs only if the first one marked the reset used at this very moment:
      // of two uses racing, one changes the password and the other changes nothing.
      const usedNow = exists(
        db
          .select({ one: sql`1` })
          .from(passwordResets)
          .where(and(eq(passwordResets.tokenHash, reset.tokenHash), eq(passwordResets.usedAt, at))),
      );
      const results = await batch([
        db
          .update(passwordResets)
          .set({ usedAt: at })
          .where(and(eq(passwordResets.tokenHash, reset.tokenHash), isNull(passwordResets.usedAt)))
          .returning({ tokenHash: passwordResets.tokenHash }),
        db
          .update(users)
          .set(changes)
          .where(and(eq(users.id, user.id), usedNow)),
        db.delete(sessions).where(and(eq(sessions.userId, user.id), usedNow)),
        // The delays per address go; the name's own count stays, so a lock outlives a reset (an admin lifts it).
        db.delete(loginFailures).where(and(gte(loginFailures.nameKey, `${user.nameKey} `), lt(loginFailures.nameKey, `${user.nameKey}!`), usedNow)),
        // Other links of this user die with this one.
        db
          .update(passwordResets)
          .set({ usedAt: at })
          .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt), usedNow)),
        // As elsewhere: the event is in the change's transaction, and only when the change happened.
        ...auditInsertsWhere(audit, usedNow.getSQL()),
        ...mailInsertsWhere(mail, usedNow.getSQL()),
      ]);
      return (results[0] as unknown[]).length > 0;
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
      await db
        .update(outbox)
        .set({ attempts, nextAttemptAt, lastError: error.slice(0, 500) })
        .where(eq(outbox.id, id));
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
    async reserveTurn(bucket, spacingMs, maxWaitMs, at) {
      // Compare and swap on the next free turn: a racing caller sees the row changed and tries again.
      for (let tries = 0; tries < 20; tries++) {
        const [row] = await db.select().from(throttles).where(eq(throttles.bucket, bucket)).limit(1);
        const turn = Math.max(row?.windowEndsAt ?? at, at);
        if (turn - at > maxWaitMs) return null;
        const next = turn + spacingMs;
        const written = row
          ? await db
              .update(throttles)
              .set({ count: row.count + 1, windowEndsAt: next })
              .where(and(eq(throttles.bucket, bucket), eq(throttles.windowEndsAt, row.windowEndsAt)))
              .returning({ count: throttles.count })
          : await db.insert(throttles).values({ bucket, count: 1, windowEndsAt: next }).onConflictDoNothing().returning({ count: throttles.count });
        if (written.length === 1) return turn;
      }
      return null;
    },
    async peekThrottle(bucket, at) {
      const [row] = await db
        .select()
        .from(throttles)
        .where(and(eq(throttles.bucket, bucket), gt(throttles.windowEndsAt, at)))
        .limit(1);
      return row ? { count: row.count, windowEndsAt: row.windowEndsAt } : { count: 0, windowEndsAt: at };
    },

    async listOAuthIdentities(userId) {
      return db.select().from(oauthIdentities).where(eq(oauthIdentities.userId, userId)).orderBy(oauthIdentities.provider);
    },
    async findOAuthIdentity(provider, subject) {
      const [row] = await db
        .select()
        .from(oauthIdentities)
        .where(and(eq(oauthIdentities.provider, provider), eq(oauthIdentities.subject, subject)))
        .limit(1);
      return row ?? null;
    },
    async insertOAuthIdentity(identity, audit, mail = []) {
      const insert = db.insert(oauthIdentities).values(identity).onConflictDoNothing().returning({ subject: oauthIdentities.subject });
      const items = [insert, ...auditInsertsWhere(audit, changed), ...mailInsertsWhere(mail, changed)];
      const [inserted] = (await batch(items))[0] as unknown[];
      return inserted !== undefined;
    },
    async deleteOAuthIdentity(userId, provider, audit) {
      const results = await batch([
        db
          .delete(oauthIdentities)
          .where(and(eq(oauthIdentities.userId, userId), eq(oauthIdentities.provider, provider)))
          .returning({ subject: oauthIdentities.subject }),
        ...auditInsertsWhere(audit, changed),
      ]);
      return (results[0] as unknown[]).length > 0;
    },
    async insertOAuthFlow(flow) {
      await db.insert(oauthFlows).values(flow);
    },
    async findOAuthFlow(stateHash) {
      const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.stateHash, stateHash)).limit(1);
      return row ? asFlow(row) : null;
    },
    async completeOAuthFlow(stateHash, at) {
      const [row] = (
        await batch([
          db
            .update(oauthFlows)
            .set({ completedAt: at })
            .where(and(eq(oauthFlows.stateHash, stateHash), isNull(oauthFlows.completedAt)))
            .returning({ s: oauthFlows.stateHash }),
        ])
      )[0] as unknown[];
      return row !== undefined;
    },
    async setOAuthFlowOutcome(stateHash, outcome) {
      await db.update(oauthFlows).set(outcome).where(eq(oauthFlows.stateHash, stateHash));
    },
    async findOAuthFlowByClaim(claimHash) {
      const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.claimHash, claimHash)).limit(1);
      return row ? asFlow(row) : null;
    },
    async findOAuthFlowByCompletion(completionHash) {
      const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.completionHash, completionHash)).limit(1);
      return row ? asFlow(row) : null;
    },
    async takeOAuthFlowClaim(stateHash) {
      // One statement: of two claims racing, only one finds the claim still there.
      const rows = await db
        .update(oauthFlows)
        .set({ claimHash: null })
        .where(and(eq(oauthFlows.stateHash, stateHash), sql`${oauthFlows.claimHash} is not null`))
        .returning({ s: oauthFlows.stateHash });
      return rows.length === 1;
    },
    async approveOAuthFlow(stateHash, by, at) {
      const column = by === 'page' ? oauthFlows.pageConfirmedAt : oauthFlows.starterApprovedAt;
      // One statement: of the two approvals, the later one reads the earlier one's mark.
      const [row] = await db
        .update(oauthFlows)
        .set(by === 'page' ? { pageConfirmedAt: at } : { starterApprovedAt: at })
        .where(and(eq(oauthFlows.stateHash, stateHash), isNull(column)))
        .returning();
      return row ? asFlow(row) : null;
    },

    async insertSamlRequest(id, issuedAt, expiresAt) {
      await db.insert(samlRequests).values({ id, issuedAt, expiresAt }).onConflictDoUpdate({ target: samlRequests.id, set: { issuedAt, expiresAt } });
    },
    async findSamlRequest(id, at) {
      const [row] = await db
        .select()
        .from(samlRequests)
        .where(and(eq(samlRequests.id, id), gt(samlRequests.expiresAt, at)))
        .limit(1);
      return row?.issuedAt ?? null;
    },
    async deleteSamlRequest(id) {
      const [row] = await db.delete(samlRequests).where(eq(samlRequests.id, id)).returning({ issuedAt: samlRequests.issuedAt });
      return row?.issuedAt ?? null;
    },

    async deleteExpired(at, deliveredMailBefore) {
      const expired = [
        [sessions, lte(sessions.expiresAt, at)],
        [passwordResets, lte(passwordResets.expiresAt, at)],
        [oauthFlows, lte(oauthFlows.expiresAt, at)],
        [throttles, lte(throttles.windowEndsAt, at)],
        [outbox, lte(outbox.deliveredAt, deliveredMailBefore)],
        [samlRequests, lte(samlRequests.expiresAt, at)],
        // Counts per name and address (`name-key address`) quiet for an hour: their delay (60 s at most)
        // ran out long ago. A name's own count stays: it is the lock's.
        [loginFailures, and(sql`instr(${loginFailures.nameKey}, ' ') > 0`, lte(loginFailures.lastFailureAt, at - ADDRESS_FAILURES_KEPT_MS))],
        [credentialUsage, lt(credentialUsage.day, Math.floor(at / DAY_MS) - USAGE_KEPT_DAYS)],
        // Clients past the newest few of their credential (flushes add up to five each), and any quiet that long.
        [
          credentialClients,
          or(
            lt(credentialClients.lastUsedAt, at - USAGE_KEPT_DAYS * DAY_MS),
            sql`rowid in (select rowid from (select rowid, row_number() over (partition by ${credentialClients.credential} order by ${credentialClients.lastUsedAt} desc) as newest from ${credentialClients}) where newest > ${CLIENTS_KEPT})`,
          ),
        ],
      ] as const;
      // Each count and its delete in the same transaction: the counts say exactly what went.
      const results = await batch(
        expired.flatMap(([table, where]) => [db.select({ n: count() }).from(table).where(where), db.delete(table).where(where)]) as unknown as Batch,
      );
      const counted = (i: number) => (results[2 * i] as { n: number }[])[0]?.n ?? 0;
      return {
        sessions: counted(0),
        passwordResets: counted(1),
        oauthFlows: counted(2),
        throttles: counted(3),
        deliveredMail: counted(4),
        samlRequests: counted(5),
        addressFailures: counted(6),
        usageDays: counted(7),
        usageClients: counted(8),
      };
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
