// What an update changes, element by element. Pure and deterministic: workflows and previews use it.

import { getNodeType } from './catalog/index.js';
import { deferredReferences } from './deferred.js';
import { deepEqual } from './json-values.js';
import { planTemplate } from './plan.js';
import type { ChangeKind, ElementChange, ResolvedNode, ResolvedTemplate } from './types.js';

/** What the diff needs to know about a node type; defaults to the catalog. */
export interface DiffTypeInfo {
  replaceOnChange: string[];
  deployable: boolean;
}

export interface DiffOptions {
  typeInfo?: (typeName: string) => DiffTypeInfo | undefined;
}

function catalogTypeInfo(typeName: string): DiffTypeInfo | undefined {
  return getNodeType(typeName);
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !deepEqual(before[key], after[key])).sort();
}

/**
 * Compares two resolved templates. Per element: ADD, DELETE, REPLACE (type changed, or a
 * replaceOnChange property changed), MODIFY (any other change, in place) or NO_CHANGE.
 * Two kinds of change travel along dependencies:
 * - a deployable element whose required non-deployable node (its ContainerComponent) changed is
 *   MODIFY, with `requirements.<name>` listed: its driver rolls the new spec out in place;
 * - an element reading get_attribute of a REPLACEd element gets new values for those properties,
 *   so it is MODIFY for them (REPLACE when one of them is a replaceOnChange property).
 * Order: elements of the new template in install order, then deleted ones in delete order.
 */
export function diffTemplates(oldResolved: ResolvedTemplate, newResolved: ResolvedTemplate, options: DiffOptions = {}): ElementChange[] {
  const typeInfo = options.typeInfo ?? catalogTypeInfo;
  const changes = new Map<string, ElementChange>();
  const newPlan = planTemplate(newResolved);
  const oldPlan = planTemplate(oldResolved);

  for (const name of [...newPlan.order, ...newPlan.blocked]) {
    const after = newResolved.nodes[name];
    const before = Object.prototype.hasOwnProperty.call(oldResolved.nodes, name) ? oldResolved.nodes[name] : undefined;
    changes.set(name, compareNode(name, before, after, typeInfo));
  }

  // Propagation in install order, so that what an element depends on is settled first.
  for (const name of [...newPlan.order, ...newPlan.blocked]) {
    const change = changes.get(name)!;
    if (change.change === 'ADD' || change.change === 'REPLACE') continue;
    const node = newResolved.nodes[name];
    const extra = new Set<string>();
    let replace = false;
    for (const [requirement, target] of Object.entries(node.requirements)) {
      const targetChange = changes.get(target);
      const targetInfo = typeInfo(newResolved.nodes[target]?.type ?? '');
      if (targetChange !== undefined && targetInfo?.deployable === false && targetChange.change !== 'NO_CHANGE') extra.add(`requirements.${requirement}`);
    }
    const replaceOnChange = typeInfo(node.type)?.replaceOnChange ?? [];
    for (const [property, value] of Object.entries(node.properties)) {
      const readsReplaced = deferredReferences(value).some((reference) => changes.get(reference.node)?.change === 'REPLACE');
      if (!readsReplaced) continue;
      extra.add(property);
      if (replaceOnChange.includes(property)) replace = true;
    }
    if (extra.size === 0) continue;
    const changedProperties = [...new Set([...change.changedProperties, ...extra])].sort();
    changes.set(name, { ...change, change: replace ? 'REPLACE' : 'MODIFY', changedProperties });
  }

  const result = [...changes.values()];
  for (const wave of oldPlan.deleteWaves) {
    for (const name of wave) if (!Object.prototype.hasOwnProperty.call(newResolved.nodes, name)) result.push(deleted(name, oldResolved.nodes[name]));
  }
  for (const name of oldPlan.blocked) if (!Object.prototype.hasOwnProperty.call(newResolved.nodes, name)) result.push(deleted(name, oldResolved.nodes[name]));
  return result;
}

function deleted(name: string, node: ResolvedNode): ElementChange {
  return { element: name, type: node.type, change: 'DELETE', changedProperties: [] };
}

function compareNode(name: string, before: ResolvedNode | undefined, after: ResolvedNode, typeInfo: (typeName: string) => DiffTypeInfo | undefined): ElementChange {
  if (before === undefined) return { element: name, type: after.type, change: 'ADD', changedProperties: Object.keys(after.properties).sort() };
  const changedProperties = changedKeys(before.properties, after.properties);
  const changedRequirements = changedKeys(before.requirements, after.requirements).map((requirement) => `requirements.${requirement}`);
  let change: ChangeKind;
  if (before.type !== after.type) change = 'REPLACE';
  else if (changedProperties.length === 0 && changedRequirements.length === 0) change = 'NO_CHANGE';
  else {
    const replaceOnChange = typeInfo(after.type)?.replaceOnChange ?? [];
    change = changedProperties.some((property) => replaceOnChange.includes(property)) ? 'REPLACE' : 'MODIFY';
  }
  return { element: name, type: after.type, change, changedProperties: [...changedProperties, ...changedRequirements] };
}
