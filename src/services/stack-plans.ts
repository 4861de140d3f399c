// What a create or an update would do, element by element, without doing it: previews open to
// every role (they change nothing and show nothing a reader cannot see).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../security/secret-box.js';
import { diffTemplates, maskResolvedTemplate, planTemplate, type ChangeKind, type ResolvedTemplate, type TemplateProblem } from '../template/index.js';
import { findStack } from './stack-lookups.js';
import { assertOperationAllowed } from './stack-actions.js';
import { prepareCreation, prepareUpdate, type CreateStackInput, type UpdateStackInput } from './stack-requests.js';
import type { Viewer } from './viewer.js';

export interface PlanStep {
  element: string;
  type: string;
  change: ChangeKind;
  /** Resolved properties, secrets masked; for a DELETE, those of the current stack. */
  properties: Record<string, unknown> | null;
  changedProperties: string[];
  dependsOn: string[];
}

export interface StackPlan {
  steps: PlanStep[];
  problems: TemplateProblem[];
  /** Install waves of the (new) template: each wave's elements run in parallel. */
  waves: string[][];
}

/** Every element as ADD, in install order, secrets masked. */
function creationPlan(resolved: ResolvedTemplate): StackPlan {
  const plan = planTemplate(resolved);
  const shown = maskResolvedTemplate(resolved);
  const steps = [...plan.order, ...plan.blocked].map((name): PlanStep => {
    const node = shown.nodes[name];
    return { element: name, type: node.type, change: 'ADD', properties: node.properties, changedProperties: Object.keys(node.properties).sort(), dependsOn: node.dependencies };
  });
  return { steps, problems: [], waves: plan.waves };
}

/** Previews change nothing and show nothing a reader cannot see: every role may run them, frozen tenants included. */
export async function previewStack(em: EntityManager, viewer: Viewer, input: CreateStackInput): Promise<StackPlan> {
  return creationPlan((await prepareCreation(em, viewer, input)).resolved);
}

function updatePlan(before: ResolvedTemplate, after: ResolvedTemplate): StackPlan {
  const shownBefore = maskResolvedTemplate(before);
  const shownAfter = maskResolvedTemplate(after);
  const steps = diffTemplates(before, after).map((change): PlanStep => {
    const node = change.change === 'DELETE' ? shownBefore.nodes[change.element] : shownAfter.nodes[change.element];
    return { ...change, properties: node?.properties ?? null, dependsOn: node?.dependencies ?? [] };
  });
  return { steps, problems: [], waves: planTemplate(after).waves };
}

/** Like previewStack, open to every role. The stack must be able to update now (NORMAL). */
export async function previewStackUpdate(em: EntityManager, viewer: Viewer, secrets: SecretBox, input: UpdateStackInput): Promise<StackPlan> {
  const stack = await findStack(em, viewer, { id: input.stackId });
  assertOperationAllowed(stack, 'UPDATE', 'InvalidStackState');
  const prepared = await prepareUpdate(em, secrets, stack, input);
  return updatePlan(prepared.before, prepared.after);
}
