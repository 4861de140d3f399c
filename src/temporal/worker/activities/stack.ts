// The stack activities the stack workflows call: element steps and action bookkeeping, built
// on one set of stack records (and so one resolved-template cache).
import { createActionBookkeeping } from './action-bookkeeping.js';
import { createElementSteps } from './element-steps.js';
import { createStackRecords, type StackActivityDeps } from './stack-records.js';

export function createStackActivities(deps: StackActivityDeps) {
  const records = createStackRecords(deps);
  return { ...createActionBookkeeping(deps, records), ...createElementSteps(deps, records) };
}

export type StackActivities = ReturnType<typeof createStackActivities>;
