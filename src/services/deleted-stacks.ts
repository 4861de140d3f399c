// Deleted stacks are kept readable (status DELETED) for a retention period; here they finally go,
// with their events (which have no foreign key to the stack) and, by cascade, their elements,
// alarms, revisions and service-cluster links.
import type { EntityManager } from '@mikro-orm/postgresql';
import { StackEventSchema, StackSchema } from '../db/entities/index.js';

/** Stacks removed per round: one round's id list and deletes stay small. */
const BATCH = 500;
/** Rounds per call: a purge is bounded; what is left goes at the next hourly run. */
const MAX_ROUNDS = 200;

type DeletedStackScope = { deletedBefore: Date } | { template: string };

/** Removes DELETED stacks in the scope, with their events; returns how many went. */
export async function removeDeletedStacks(em: EntityManager, scope: DeletedStackScope): Promise<number> {
  const where = 'deletedBefore' in scope ? { status: 'DELETED' as const, deletedAt: { $lt: scope.deletedBefore } } : { status: 'DELETED' as const, template: scope.template };
  let removed = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const batch = await em.find(StackSchema, where, { fields: ['id'], limit: BATCH, orderBy: { deletedAt: 'asc', id: 'asc' } });
    if (batch.length === 0) break;
    const ids = batch.map((stack) => stack.id);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(StackEventSchema, { stackId: { $in: ids } });
      removed += await tx.nativeDelete(StackSchema, { id: { $in: ids }, status: 'DELETED' });
    });
    if (batch.length < BATCH) break;
  }
  return removed;
}

/** Retention: deleted stacks whose delete finished more than `days` ago. */
export async function purgeDeletedStacks(em: EntityManager, days: number, now = new Date()): Promise<number> {
  return removeDeletedStacks(em.fork(), { deletedBefore: new Date(now.getTime() - days * 24 * 3600 * 1000) });
}
