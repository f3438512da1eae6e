/** Recent security events, as a user (or an admin) reads them. Never a secret: the events hold none. */
import type { ActivityEvent } from '../../shared/schemas';
import type { DomainDeps } from './deps';
import type { UserRecord } from './records';

export const RECENT_ACTIVITY = 10;
export const MAX_ACTIVITY = 500;

export async function recentActivity(deps: DomainDeps, user: UserRecord, limit = RECENT_ACTIVITY): Promise<ActivityEvent[]> {
  const events = await deps.store.listAuditEvents(user.id, Math.min(Math.max(1, limit), MAX_ACTIVITY));
  return events.map((event) => ({
    type: event.type,
    at: new Date(event.at).toISOString(),
    clientAddress: event.clientAddress,
    userAgent: event.userAgent,
    ...(event.detail ? { detail: event.detail } : {}),
  }));
}
