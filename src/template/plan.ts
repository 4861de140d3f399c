// The element DAG and its install/delete waves. Pure and deterministic: Temporal workflows import it.

import { referencedNodes } from './functions.js';
import { isPlainObject } from './json-values.js';
import type { ResolvedTemplate, TemplateDoc, TemplatePlan } from './types.js';

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Requirement targets of a node template in either TOSCA form, in order; malformed entries are skipped. */
export function requirementTargets(requirements: unknown): Array<{ name: string; node: string; index: number }> {
  if (!Array.isArray(requirements)) return [];
  const targets: Array<{ name: string; node: string; index: number }> = [];
  requirements.forEach((entry, index) => {
    if (!isPlainObject(entry)) return;
    const keys = Object.keys(entry);
    if (keys.length !== 1) return;
    const value = entry[keys[0]];
    const node = typeof value === 'string' ? value : isPlainObject(value) && typeof value.node === 'string' ? value.node : undefined;
    if (node !== undefined) targets.push({ name: keys[0], node, index });
  });
  return targets;
}

/**
 * Dependencies of every node of a (possibly invalid) document: requirement targets plus nodes read
 * through get_attribute / get_property in its properties. Names of missing nodes are left out.
 */
export function documentDependencies(doc: unknown): Record<string, string[]> {
  const dependencies: Record<string, string[]> = {};
  if (!isPlainObject(doc) || !isPlainObject(doc.node_templates)) return dependencies;
  const nodes = doc.node_templates;
  for (const [name, template] of Object.entries(nodes)) {
    const found = new Set<string>();
    if (isPlainObject(template)) {
      for (const target of requirementTargets(template.requirements)) found.add(target.node);
      referencedNodes(template.properties, found);
    }
    dependencies[name] = [...found].filter((node) => Object.prototype.hasOwnProperty.call(nodes, node)).sort(byName);
  }
  return dependencies;
}

/** Strongly connected components that contain a cycle, each given as one cycle through its smallest member. */
export function findCycles(dependencies: Record<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  // Iterative Tarjan: a chain of 1000 elements must not exhaust the call stack.
  for (const root of Object.keys(dependencies).sort(byName)) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    lowLink.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = dependencies[frame.node] ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++];
        if (!Object.prototype.hasOwnProperty.call(dependencies, target)) continue;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (dependencies[member] ?? []).includes(member);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => cycleThrough(component, dependencies)).sort((a, b) => byName(a[0], b[0]));
}

/** The shortest cycle from the component's smallest member back to itself, as its members in order. */
function cycleThrough(component: string[], dependencies: Record<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort(byName)[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const target of dependencies[node] ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const cycle = [node];
        for (let step = node; step !== start; ) {
          step = cameFrom.get(step)!;
          cycle.push(step);
        }
        return cycle.reverse();
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}

/** Waves of independent elements: an element is in wave k = 1 + the latest wave of its dependencies. */
export function buildPlan(dependencies: Record<string, string[]>): TemplatePlan {
  const names = Object.keys(dependencies).sort(byName);
  const known = new Set(names);
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const name of names) {
    const needs = [...new Set(dependencies[name])].filter((dependency) => known.has(dependency));
    remaining.set(name, needs.length);
    for (const dependency of needs) {
      const list = dependents.get(dependency);
      if (list) list.push(name);
      else dependents.set(dependency, [name]);
    }
  }
  const waves: string[][] = [];
  let current = names.filter((name) => remaining.get(name) === 0);
  while (current.length > 0) {
    waves.push(current);
    const next: string[] = [];
    for (const done of current) {
      for (const dependent of dependents.get(done) ?? []) {
        const left = remaining.get(dependent)! - 1;
        remaining.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    current = next.sort(byName);
  }
  const order = waves.flat();
  const placed = new Set(order);
  const blocked = names.filter((name) => !placed.has(name));
  const normalized: Record<string, string[]> = {};
  for (const name of names) normalized[name] = [...new Set(dependencies[name])].filter((dependency) => known.has(dependency)).sort(byName);
  return {
    waves,
    order,
    deleteWaves: [...waves].reverse().map((wave) => [...wave]),
    dependencies: normalized,
    cycles: blocked.length > 0 ? findCycles(normalized) : [],
    blocked,
  };
}

function isResolvedTemplate(value: unknown): value is ResolvedTemplate {
  return isPlainObject(value) && isPlainObject(value.nodes);
}

/** The plan of a resolved template (its recorded dependencies) or of a document (requirements and references). */
export function planTemplate(resolvedOrDoc: ResolvedTemplate | TemplateDoc): TemplatePlan {
  if (isResolvedTemplate(resolvedOrDoc)) {
    const dependencies: Record<string, string[]> = {};
    for (const [name, node] of Object.entries(resolvedOrDoc.nodes)) dependencies[name] = Array.isArray(node.dependencies) ? node.dependencies : [];
    return buildPlan(dependencies);
  }
  return buildPlan(documentDependencies(resolvedOrDoc));
}
