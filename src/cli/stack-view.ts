// What the stack commands read and how they show it: the NAME|ID lookup and the readable renderings
// of the SDK's results.

import { StackStatusDocument, StacksDocument, type StackEventFieldsFragment, type StackPlanFieldsFragment, type StackQuery, type StacksQuery, type StackSummaryFragment } from '../sdk/generated/graphql.js';
import { UUID } from './args.js';
import { formatProblem, notFound, type Api } from './client.js';
import { inlineValue, plural, shortTime, table } from './format.js';
import { emptyList } from './output.js';

export type StackSummary = StackSummaryFragment;
export type StackDetail = NonNullable<StackQuery['stack']>;
export type StackListRow = StacksQuery['stacks']['edges'][number]['node'];
export type StackEventBody = StackEventFieldsFragment;
export type PlanBody = StackPlanFieldsFragment;

/** `stack(id:)` for an id, `stack(name:)` otherwise. */
function stackRefVariables(ref: string): { id: string | null; name: string | null } {
  return UUID.test(ref) ? { id: ref, name: null } : { id: null, name: ref };
}

/** The stack a NAME|ID argument names, or a NotFound failure. A name no live stack has may name a deleted one. */
export async function findStack(api: Api, ref: string): Promise<StackSummary> {
  const { stack } = await api.request(StackStatusDocument, stackRefVariables(ref));
  const found = stack ?? (UUID.test(ref) ? null : await deletedStackNamed(api, ref));
  if (!found) throw notFound(`stack "${ref}" not found`);
  return found;
}

/** Deleted stacks whose names contain the text, looked through for an exact match: enough for a name reused a few times. */
const DELETED_NAME_PAGE = 100;

/**
 * The most recent deleted stack of exactly this name, or null. The API finds live stacks only by
 * name (a deleted one by id); the CLI falls back to this so that `show`, `events`, `wait` and
 * `output` reach a deleted stack by the name it had, while no live stack has taken that name.
 */
async function deletedStackNamed(api: Api, name: string): Promise<StackSummary | null> {
  const { stacks } = await api.request(StacksDocument, { first: DELETED_NAME_PAGE, filter: { name, status: 'DELETED' } });
  // Newest first: the latest stack to carry the name is the one deleted last.
  return stacks.edges.map((edge) => edge.node).find((node) => node.name === name) ?? null;
}

/**
 * `stack(id:, name:)` variables for a NAME|ID argument that reach a deleted stack by the name it had
 * too (see deletedStackNamed): one small query more than asking by name.
 */
export async function readableStackRef(api: Api, ref: string): Promise<{ id: string | null; name: string | null }> {
  if (UUID.test(ref)) return stackRefVariables(ref);
  const { stack } = await api.request(StackStatusDocument, { name: ref });
  const id = stack?.id ?? (await deletedStackNamed(api, ref))?.id;
  return id ? { id, name: null } : stackRefVariables(ref);
}

/** `NORMAL (INSTALL COMPLETE)`. */
export function situation(stack: Pick<StackSummary, 'status' | 'action' | 'actionState'>): string {
  return stack.action ? `${stack.status} (${stack.action}${stack.actionState ? ` ${stack.actionState}` : ''})` : stack.status;
}

export function renderStack(stack: StackDetail): string[] {
  const lines = [`stack ${stack.name}: ${situation(stack)}, revision ${stack.revision}`];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(10)} ${value}`);
  field('id', stack.id);
  if (stack.description) field('about', stack.description);
  if (stack.statusReason) field('reason', stack.statusReason);
  field('template', `${stack.template.name}, version ${stack.templateVersion.version}`);
  field('cluster', stack.cluster ? `${stack.cluster.name} (${stack.cluster.kind}), namespace ${stack.namespace ?? 'default'}` : 'none');
  if (stack.serviceClusters?.length) field('services', stack.serviceClusters.map((c) => `${c.name} (${c.kind})`).join(', '));
  field('inputs', stack.inputs.length ? stack.inputs.map((input) => `${input.name}=${inlineValue(input.value)}`).join('  ') : 'none');
  field('settings', `timeout ${stack.timeoutMinutes} min, auto rollback ${stack.autoRollback ? 'on' : 'off'}`);
  field('allowed', stack.allowedActions.join(', ') || (stack.status === 'DELETED' ? 'nothing (the stack is deleted; its record stays readable for a while)' : 'nothing (an action is running)'));
  if (stack.deletedAt) field('deleted', shortTime(stack.deletedAt));
  field('updated', `${shortTime(stack.updatedAt)} (created ${shortTime(stack.createdAt)})`);

  lines.push('', ...table(['ELEMENT', 'TYPE', 'STATUS', 'HEALTH', 'REASON'], stack.elements.map((e) => [e.name, e.type, e.status, e.health, e.statusReason ?? ''])));
  if (stack.outputs.length) lines.push('', ...table(['OUTPUT', 'VALUE', 'DESCRIPTION'], stack.outputs.map((o) => [o.name, inlineValue(o.value), o.description ?? ''])));

  const open = stack.alarms.filter((alarm) => alarm.clearedAt === null);
  const cleared = stack.alarms.length - open.length;
  if (open.length === 0) lines.push('', `alarms: none open${cleared ? ` (${cleared} cleared)` : ''}`);
  else {
    lines.push('', `alarms: ${open.length} open${cleared ? `, ${cleared} cleared` : ''}`);
    lines.push(...table(['  RAISED', 'ELEMENT', 'MESSAGE'], open.map((a) => [`  ${shortTime(a.raisedAt)}`, a.element ?? '-', a.message])));
  }
  return lines;
}

export function renderStackList(stacks: StackListRow[]): string[] {
  if (stacks.length === 0) return emptyList('stacks');
  return table(
    ['NAME', 'STATUS', 'ACTION', 'REV', 'TEMPLATE', 'CLUSTER', 'UPDATED'],
    stacks.map((s) => [
      s.name,
      s.status,
      s.action ? `${s.action} ${s.actionState ?? ''}`.trim() : '-',
      String(s.revision),
      `${s.template.name}:${s.templateVersion.version}`,
      s.cluster?.name ?? '-',
      shortTime(s.updatedAt),
    ]),
  );
}

export function renderEvent(event: StackEventBody): string {
  if (!event.element) return `${shortTime(event.time)}  ${event.type}: ${event.message}`;
  // Element messages usually start with the element's name already.
  const prefix = `${event.element}: `;
  const message = event.message.startsWith(prefix) ? event.message.slice(prefix.length) : event.message;
  return `${shortTime(event.time)}  ${event.type} ${event.element}: ${message}`;
}

export function renderPlan(plan: PlanBody): string[] {
  const changes = plan.steps.filter((step) => step.change !== 'NO_CHANGE').length;
  const lines = [`plan: ${plural(plan.steps.length, 'element')}, ${plural(changes, 'change')}, ${plural(plan.waves.length, 'wave')}`];
  lines.push(
    ...table(
      ['CHANGE', 'ELEMENT', 'TYPE', 'AFTER', 'CHANGED'],
      plan.steps.map((step) => [step.change, step.element, step.type, step.dependsOn.join(',') || '-', step.change === 'ADD' ? '' : step.changedProperties.join(',')]),
    ),
  );
  if (plan.waves.length) lines.push(`waves: ${plan.waves.map((wave) => `[${wave.join(', ')}]`).join(' → ')}`);
  for (const step of plan.steps) {
    if (step.change !== 'NO_CHANGE' && step.properties !== null) lines.push(`  ${step.element}: ${JSON.stringify(step.properties)}`);
  }
  for (const problem of plan.problems) lines.push(`problem: ${formatProblem(problem)}`);
  return lines;
}
