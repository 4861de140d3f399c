// What an action would do, as the preview mutations return it: steps in install order and waves.
import type { PlanStep, StackPlan } from '../../src/services/stack-plans.js';
import { builder } from '../builder.js';
import { TemplateProblemRef } from '../errors.js';

const StackPlanStepRef = builder.objectRef<PlanStep>('StackPlanStep').implement({
  fields: (t) => ({
    element: t.exposeString('element'),
    type: t.exposeString('type'),
    change: t.exposeString('change', { description: 'ADD, MODIFY (in place), REPLACE, DELETE or NO_CHANGE' }),
    properties: t.field({ type: 'JSON', nullable: true, description: 'Resolved properties, secrets masked (for DELETE: the current ones).', resolve: (step) => step.properties }),
    changedProperties: t.exposeStringList('changedProperties', { description: 'Top-level properties that change; `requirements.<name>` for a changed requirement.' }),
    dependsOn: t.exposeStringList('dependsOn', { description: 'Elements deployed before this one.' }),
  }),
});

export const StackPlanRef = builder.objectRef<StackPlan>('StackPlan').implement({
  description: 'What an action would do, nothing deployed.',
  fields: (t) => ({
    steps: t.field({ type: [StackPlanStepRef], description: 'In install order; deleted elements last, in delete order.', resolve: (plan) => plan.steps }),
    problems: t.field({ type: [TemplateProblemRef], resolve: (plan) => plan.problems }),
    waves: t.field({ type: t.listRef(t.listRef('String')), description: 'Install waves: the elements of one wave are deployed in parallel.', resolve: (plan) => plan.waves }),
  }),
});
