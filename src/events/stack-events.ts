import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { StackEventSchema, type StackEvent } from '../db/entities/index.js';
import { encodeNotification, NOTIFY_CHANNEL } from './topics.js';

export interface StackEventInput {
  tenantId: string;
  stackId: string;
  /** e.g. ACTION_STARTED, ELEMENT_CREATE_FAILED, ROLLBACK_COMPLETED. */
  type: string;
  element?: string | null;
  status?: string | null;
  /** Never a secret: callers pass reasons and names, not values. */
  message: string;
}

/** Adds an event to the unit of work; `commitStackChanges` writes and announces it. */
export function addStackEvent(em: EntityManager, input: StackEventInput): StackEvent {
  return em.create(StackEventSchema, {
    id: randomUUID(),
    tenantId: input.tenantId,
    stackId: input.stackId,
    type: input.type,
    element: input.element ?? null,
    status: input.status ?? null,
    message: input.message.slice(0, 8000),
  });
}

/**
 * One flush for everything pending (the stack's rows and its new events), then one round trip
 * announcing the events and, when given, the stack's change.
 */
export async function commitStackChanges(em: EntityManager, events: StackEvent[], changed?: { tenantId: string; stackId: string }): Promise<void> {
  await em.flush();
  const notifications = events.map((event) => encodeNotification('stack.event', { tenantId: event.tenantId, stackId: event.stackId, eventId: event.id }));
  if (changed) notifications.push(encodeNotification('stack.changed', changed));
  if (notifications.length === 0) return;
  const calls = notifications.map(() => 'pg_notify(?, ?)').join(', ');
  await em.getConnection().execute(`select ${calls}`, notifications.flatMap((payload) => [NOTIFY_CHANNEL, payload]), 'all', em.getTransactionContext());
}

/** Writes one event and announces it (after commit, when inside a transaction). */
export async function recordStackEvent(em: EntityManager, input: StackEventInput): Promise<StackEvent> {
  const event = addStackEvent(em, input);
  await commitStackChanges(em, [event]);
  return event;
}
