import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import { ValidationFailed } from '../domain/errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

/** Keyset pagination: stable under concurrent inserts, unlike offsets. */
export async function paginate<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  orderBy: QueryOrderMap<T>,
  args: PageArgs,
): Promise<Page<T>> {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw ValidationFailed.single('BAD_PAGE', 'first', `first must be between 0 and ${MAX_PAGE}`);
  }
  let cursor;
  try {
    cursor = await em.findByCursor(entity, where, { first, after: args.after ?? undefined, orderBy, includeCount: false });
  } catch (error) {
    if (args.after && error instanceof Error && /cursor/i.test(error.message)) {
      throw ValidationFailed.single('BAD_CURSOR', 'after', 'the cursor is not one this list handed out');
    }
    throw error;
  }
  return {
    edges: cursor.items.map((node) => ({ node, cursor: cursor.from(node) })),
    pageInfo: {
      hasNextPage: cursor.hasNextPage ?? false,
      hasPreviousPage: cursor.hasPrevPage ?? false,
      startCursor: cursor.startCursor,
      endCursor: cursor.endCursor,
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids come from outside: a malformed one is simply not found, never a database error. */
export function isUuid(value: string | null | undefined): value is string {
  return typeof value === 'string' && UUID.test(value);
}
