// The live feed of stacks: one stack, or all of the tenant's, each time one changes.
import type { Stack } from '../../src/db/entities/index.js';
import { liveStackChanges } from '../../src/services/stack-views.js';
import { builder } from '../builder.js';
import { StackRef } from './stack.js';

builder.subscriptionFields((t) => ({
  stackChanged: t.field({
    type: StackRef,
    description: 'The stack each time its status, action or elements change.',
    args: { stackId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => liveStackChanges(ctx.em, ctx.services.live, ctx.viewer, args.stackId),
    resolve: (stack: Stack) => stack,
  }),
  stacksChanged: t.field({
    type: StackRef,
    description: "Any of the tenant's stacks, each time one changes.",
    subscribe: (_root, _args, ctx) => liveStackChanges(ctx.em, ctx.services.live, ctx.viewer, null),
    resolve: (stack: Stack) => stack,
  }),
}));
