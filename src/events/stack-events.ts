import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { StackEventSchema, type StackEvent } from '../db/entities/index.js';
import { publish } from './publish.js';

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

/** Writes one event and announces it (after commit, when inside a transaction). */
export async function recordStackEvent(em: EntityManager, input: StackEventInput): Promise<StackEvent> {
  const event = em.create(StackEventSchema, {
    id: randomUUID(),
    tenantId: input.tenantId,
    stackId: input.stackId,
    type: input.type,
    element: input.element ?? null,
    status: input.status ?? null,
    message: input.message.slice(0, 8000),
  });
  await em.flush();
  await publish(em, 'stack.event', { tenantId: input.tenantId, stackId: input.stackId, eventId: event.id });
  return event;
}
