import type { StackEvent } from '../../src/db/entities/index.js';
import { eventCursor, liveStackEvents } from '../../src/services/stack-views.js';
import { builder } from '../builder.js';

export const StackEventRef = builder.objectRef<StackEvent>('StackEvent').implement({
  description: 'One step of a stack’s life: action started/finished, element steps with their reasons, rollback steps, outputs.',
  fields: (t) => ({
    id: t.exposeID('id'),
    stackId: t.exposeID('stackId'),
    time: t.field({ type: 'DateTime', resolve: (event) => event.time }),
    type: t.exposeString('type', { description: 'e.g. ACTION_STARTED, ELEMENT_CREATE_FAILED, ROLLBACK_COMPLETED' }),
    element: t.string({ nullable: true, resolve: (event) => event.element ?? null }),
    status: t.string({ nullable: true, resolve: (event) => event.status ?? null }),
    message: t.exposeString('message'),
    cursor: t.string({
      description: 'This event’s place in the stack’s history: pass it as `events(since:)` to catch up on what came after it.',
      resolve: (event) => eventCursor(event),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  stackEvents: t.field({
    type: StackEventRef,
    description: 'Events of one stack of the tenant as they are written. After a reconnect, catch up with `events(since: <last cursor>)`.',
    args: { stackId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => liveStackEvents(ctx.em, ctx.services.live, ctx.viewer, args.stackId),
    resolve: (event: StackEvent) => event,
  }),
}));
