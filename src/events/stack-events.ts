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
 *
 * Events of one stack commit in the order of their `seq`, the cursor clients resume from: the
 * transaction first locks the stack's row, so two element steps of the same stack writing at once
 * take turns, and a reader that has seen event n never later finds a new event below n (which
 * `events(since:)` would skip).
 */
export async function commitStackChanges(em: EntityManager, events: StackEvent[], changed?: { tenantId: string; stackId: string }): Promise<void> {
  const stackIds = [...new Set(events.map((event) => event.stackId))].sort();
  const ownTransaction = stackIds.length > 0 && !em.isInTransaction();
  if (ownTransaction) await em.begin();
  try {
    if (stackIds.length > 0) {
      await em.getConnection().execute(`select 1 from stacks where id in (${stackIds.map(() => '?').join(', ')}) order by id for no key update`, stackIds, 'all', em.getTransactionContext());
    }
    await em.flush();
    const notifications = events.map((event) => encodeNotification('stack.event', { tenantId: event.tenantId, stackId: event.stackId, eventId: event.id }));
    if (changed) notifications.push(encodeNotification('stack.changed', changed));
    if (notifications.length > 0) {
      const calls = notifications.map(() => 'pg_notify(?, ?)').join(', ');
      await em.getConnection().execute(`select ${calls}`, notifications.flatMap((payload) => [NOTIFY_CHANNEL, payload]), 'all', em.getTransactionContext());
    }
    if (ownTransaction) await em.commit();
  } catch (error) {
    if (ownTransaction) await em.rollback();
    throw error;
  }
}

/** Writes one event and announces it (after commit, when inside a transaction). */
export async function recordStackEvent(em: EntityManager, input: StackEventInput): Promise<StackEvent> {
  const event = addStackEvent(em, input);
  await commitStackChanges(em, [event]);
  return event;
}
