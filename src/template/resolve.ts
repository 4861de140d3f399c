// Template + input values → resolved template: inputs checked and applied, get_input/get_property/
// concat/join evaluated, get_attribute kept as a deferred reference. Pure (no validator library):
// the pure entry point offers it to workflows; the public `resolveTemplate` in index.ts adds the
// schema check of the resolved properties.

import { getNodeType, type NodeTypeDef } from './catalog/index.js';
import { combineConcat, combineJoin, isDeferred, valueAtPath } from './deferred.js';
import { SELF, asFunctionCall, concatParts, inputReference, joinArguments, nodeReference } from './functions.js';
import { resolveInputValues } from './input-values.js';
import type { PatternEngine } from './input-constraints.js';
import { isPlainObject } from './json-values.js';
import { formatPath, type PathSegment } from './path.js';
import { documentDependencies, requirementTargets } from './plan.js';
import { ProblemCode, problemAt, sortProblems } from './problems.js';
import { ResolutionBudget, ResolutionTooLarge } from './resolution-budget.js';
import { schemaAt, withSchemaDefaults, writeOnlyPaths } from './schema-walk.js';
import type { InputSpec, PropertyPath, ResolvedNode, ResolvedOutput, ResolvedTemplate, TemplateProblem } from './types.js';

export interface ResolveResult {
  resolved: ResolvedTemplate | null;
  problems: TemplateProblem[];
}

export interface ResolveOptions {
  /** Checks `pattern` constraints of inputs; without it they are not checked (see PatternEngine). */
  patterns?: PatternEngine;
}

interface Evaluated {
  value: unknown;
  /** Paths (relative to the evaluated value) that hold secret data. */
  secretPaths: PropertyPath[];
  /** `secretPaths` as a tree, built when first asked: one lookup per reference instead of a scan. */
  secretTree?: SecretTree;
}

interface SecretTree {
  secret: boolean;
  children: Map<PathSegment, SecretTree>;
}

function secretTreeOf(evaluated: Evaluated): SecretTree {
  if (evaluated.secretTree !== undefined) return evaluated.secretTree;
  const root: SecretTree = { secret: false, children: new Map() };
  for (const path of evaluated.secretPaths) {
    let node = root;
    for (const segment of path) {
      let next = node.children.get(segment);
      if (next === undefined) node.children.set(segment, (next = { secret: false, children: new Map() }));
      node = next;
    }
    node.secret = true;
  }
  evaluated.secretTree = root;
  return root;
}

/** True when a secret path lies on `path` (above it: the part read is inside a secret) or below it (the part holds one). */
function touchesSecret(evaluated: Evaluated, path: readonly PathSegment[]): boolean {
  if (evaluated.secretPaths.length === 0) return false;
  let node = secretTreeOf(evaluated);
  for (const segment of path) {
    if (node.secret) return true;
    const next = node.children.get(segment);
    if (next === undefined) return false;
    node = next;
  }
  return node.secret || node.children.size > 0;
}

class Resolver {
  readonly problems: TemplateProblem[] = [];
  private readonly nodes: Record<string, unknown>;
  private readonly propertyCache = new Map<string, Evaluated>();
  private readonly inProgress = new Set<string>();
  private readonly secretInputs: Set<string>;

  constructor(
    doc: Record<string, unknown>,
    private readonly inputValues: Record<string, unknown>,
    specs: InputSpec[],
    private readonly budget: ResolutionBudget,
  ) {
    this.nodes = isPlainObject(doc.node_templates) ? doc.node_templates : {};
    this.secretInputs = new Set(specs.filter((spec) => spec.secret).map((spec) => spec.name));
  }

  private typeOf(node: string): NodeTypeDef | undefined {
    const template = this.nodes[node];
    return isPlainObject(template) && typeof template.type === 'string' ? getNodeType(template.type) : undefined;
  }

  private rawProperties(node: string): Record<string, unknown> {
    const template = this.nodes[node];
    return isPlainObject(template) && isPlainObject(template.properties) ? template.properties : {};
  }

  /** A top-level property of a node, evaluated once (get_property chains reuse it). */
  property(node: string, name: string): Evaluated | undefined {
    const key = `${node}\u0000${name}`;
    const cached = this.propertyCache.get(key);
    if (cached) return cached;
    const at: PathSegment[] = ['node_templates', node, 'properties', name];
    if (this.inProgress.has(key)) {
      this.problems.push(problemAt(ProblemCode.CYCLE, at, `property "${name}" of "${node}" refers back to itself through get_property`));
      return { value: null, secretPaths: [] };
    }
    const raw = this.rawProperties(node);
    let value: unknown;
    if (Object.prototype.hasOwnProperty.call(raw, name)) value = raw[name];
    else {
      const schema = this.typeOf(node);
      const propertySchema = schema ? schemaAt(schema.properties, [name]) : undefined;
      if (propertySchema === undefined || !Object.prototype.hasOwnProperty.call(propertySchema, 'default')) return undefined;
      value = propertySchema.default;
    }
    this.inProgress.add(key);
    const secretPaths: PropertyPath[] = [];
    const evaluated = this.evaluate(value, node, at, [], secretPaths);
    this.inProgress.delete(key);
    const result = { value: evaluated, secretPaths };
    this.propertyCache.set(key, result);
    return result;
  }

  /** Evaluates functions in `value`; `at` is its place in the document (for problems), `relative` its place in what the caller collects. */
  evaluate(value: unknown, node: string | undefined, at: PathSegment[], relative: PathSegment[], secrets: PropertyPath[]): unknown {
    const call = asFunctionCall(value);
    if (call === undefined) {
      this.budget.chargeValue(value, at);
      if (Array.isArray(value)) return value.map((item, index) => this.evaluate(item, node, [...at, index], [...relative, index], secrets));
      if (isPlainObject(value)) {
        const result: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) {
          Object.defineProperty(result, key, { value: this.evaluate(item, node, [...at, key], [...relative, key], secrets), enumerable: true, writable: true, configurable: true });
        }
        return result;
      }
      return value;
    }
    const argsAt = [...at, call.name];
    switch (call.name) {
      case 'get_input': {
        const reference = inputReference(call.args);
        if (!reference.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, reference.message);
        const { input, path } = reference.value;
        if (!Object.prototype.hasOwnProperty.call(this.inputValues, input)) return this.fail(ProblemCode.UNDEFINED_INPUT, argsAt, `input "${input}" is not declared or has no value`);
        const found = valueAtPath(this.inputValues[input], path);
        if (found === undefined) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, `input "${input}" has nothing at ${formatPath(path)}`);
        if (this.secretInputs.has(input)) secrets.push(relative);
        return this.budget.copy(found, at);
      }
      case 'get_property': {
        const reference = nodeReference('get_property', call.args);
        if (!reference.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, reference.message);
        const target = reference.value.node === SELF ? node : reference.value.node;
        if (target === undefined) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, 'SELF means the node holding the value; outputs belong to no node');
        if (!Object.prototype.hasOwnProperty.call(this.nodes, target)) return this.fail(ProblemCode.UNDEFINED_NODE, argsAt, `node "${target}" is not defined`);
        const path = reference.value.path;
        const key = `${target}\u0000${reference.value.name}`;
        if (this.inProgress.has(key)) return this.evaluateWithinProperty(target, reference.value.name, path, node, argsAt, relative, secrets);
        const property = this.property(target, reference.value.name);
        if (property === undefined) return this.fail(ProblemCode.UNDEFINED_PROPERTY, argsAt, `node "${target}" has no value for property "${reference.value.name}"`);
        if (touchesSecret(property, path)) secrets.push(relative);
        return this.navigate(property.value, path, argsAt, `property "${reference.value.name}" of "${target}"`);
      }
      case 'get_attribute': {
        const reference = nodeReference('get_attribute', call.args);
        if (!reference.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, reference.message);
        if (this.typeOf(reference.value.node)?.attributes[reference.value.name]?.secret === true) secrets.push(relative);
        return { get_attribute: this.budget.copy(call.args, at) };
      }
      case 'concat': {
        const parts = concatParts(call.args);
        if (!parts.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, parts.message);
        const partSecrets: PropertyPath[] = [];
        const evaluated = parts.value.map((part, index) => this.evaluate(part, node, [...argsAt, index], [index], partSecrets));
        if (partSecrets.length > 0) secrets.push(relative);
        return evaluated.some(isDeferred) ? { concat: evaluated } : this.charged(combineConcat(evaluated), at);
      }
      case 'join': {
        const joined = joinArguments(call.args);
        if (!joined.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, joined.message);
        const partSecrets: PropertyPath[] = [];
        const source = Array.isArray(joined.value.parts) ? joined.value.parts : { [joined.value.parts.name]: joined.value.parts.args };
        const parts = this.evaluate(source, node, [...argsAt, 0], [0], partSecrets);
        if (partSecrets.length > 0) secrets.push(relative);
        if (isDeferred(parts)) return { join: [parts, joined.value.delimiter] };
        if (!Array.isArray(parts)) return this.fail(ProblemCode.TYPE_MISMATCH, argsAt, 'join needs a list of parts');
        return this.charged(combineJoin(parts, joined.value.delimiter), at);
      }
    }
  }

  /**
   * get_property into the property being evaluated (`[SELF, package, ports, 0, containerPort]` inside
   * `package`): evaluates just the part named by the path, which is fine unless that part is itself.
   */
  private evaluateWithinProperty(
    target: string,
    name: string,
    path: PathSegment[],
    node: string | undefined,
    at: PathSegment[],
    relative: PathSegment[],
    secrets: PropertyPath[],
  ): unknown {
    const partKey = `${target}\u0000${name}\u0000${JSON.stringify(path)}`;
    const raw = this.rawProperties(target)[name];
    let part: unknown = raw;
    let consumed = 0;
    while (consumed < path.length && asFunctionCall(part) === undefined && part !== undefined) part = valueAtPath(part, [path[consumed++]]);
    if (path.length === 0 || this.inProgress.has(partKey)) {
      return this.fail(ProblemCode.CYCLE, at, `property "${name}" of "${target}" refers back to itself through get_property`);
    }
    if (part === undefined) return this.fail(ProblemCode.UNDEFINED_PROPERTY, at, `property "${name}" of "${target}" has nothing at ${formatPath(path)}`);
    this.inProgress.add(partKey);
    const value = this.evaluate(part, node ?? target, at, relative, secrets);
    this.inProgress.delete(partKey);
    return this.navigate(value, path.slice(consumed), at, `property "${name}" of "${target}"`);
  }

  /** A text made by concat or join: its parts were charged, the joined text is charged again. */
  private charged(text: string, at: PathSegment[]): string {
    this.budget.chargeValue(text, at);
    return text;
  }

  private navigate(value: unknown, path: PathSegment[], at: PathSegment[], what: string): unknown {
    if (path.length === 0) return this.budget.copy(value, at);
    const call = asFunctionCall(value);
    if (call?.name === 'get_attribute' && Array.isArray(call.args)) return { get_attribute: [...(this.budget.copy(call.args, at) as unknown[]), ...path] };
    if (isDeferred(value) && asFunctionCall(value) !== undefined) {
      return this.fail(ProblemCode.BAD_FUNCTION, at, `${what} is only known after deployment and cannot be indexed with ${formatPath(path)}`);
    }
    const found = valueAtPath(value, path);
    if (found === undefined) return this.fail(ProblemCode.UNDEFINED_PROPERTY, at, `${what} has nothing at ${formatPath(path)}`);
    return this.budget.copy(found, at);
  }

  private fail(code: string, at: PathSegment[], message: string): null {
    this.problems.push(problemAt(code, at, message));
    return null;
  }
}

function sortedPaths(paths: PropertyPath[]): PropertyPath[] {
  const unique = new Map<string, PropertyPath>();
  for (const path of paths) unique.set(JSON.stringify(path), path);
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, path]) => path);
}

/**
 * Resolves a validated template with input values. Never throws; `resolved` is null when there are
 * problems. Resolved properties include the defaults of the node type's schema. Resolving stops
 * with a RESOLUTION_TOO_LARGE problem past MAX_RESOLVED_VALUES or MAX_RESOLVED_BYTES.
 */
// `doc` is a TemplateDoc when it comes from analyzeTemplate; anything else is reported, not trusted.
export function resolveTemplatePure(doc: unknown, inputs: Record<string, unknown>, options: ResolveOptions = {}): ResolveResult {
  if (!isPlainObject(doc) || !isPlainObject(doc.node_templates)) {
    return { resolved: null, problems: [problemAt(ProblemCode.NOT_A_MAPPING, [], 'resolve needs a validated template document')] };
  }
  const { values, specs, problems } = resolveInputValues(doc, inputs, options.patterns);
  if (problems.length > 0) return { resolved: null, problems: sortProblems(problems) };

  const resolver = new Resolver(doc, values, specs, new ResolutionBudget());
  try {
    return resolveWith(resolver, doc, doc.node_templates, values, specs);
  } catch (error) {
    if (!(error instanceof ResolutionTooLarge)) throw error;
    const tooLarge = problemAt(
      ProblemCode.RESOLUTION_TOO_LARGE,
      error.at,
      `resolving the template makes ${error.limit} (copies made by get_property and get_input count each time); it stopped here`,
      'get_property and get_input copy the whole value they name: name only the part you need (e.g. [node, package, image]) and avoid chains that copy copies',
    );
    return { resolved: null, problems: sortProblems([...resolver.problems, tooLarge]) };
  }
}

function resolveWith(resolver: Resolver, doc: Record<string, unknown>, templates: Record<string, unknown>, values: Record<string, unknown>, specs: InputSpec[]): ResolveResult {
  const dependencies = documentDependencies(doc);
  const nodes: Record<string, ResolvedNode> = {};
  for (const [name, template] of Object.entries(templates)) {
    if (!isPlainObject(template) || typeof template.type !== 'string') continue;
    const def = getNodeType(template.type);
    const properties: Record<string, unknown> = {};
    const secretPaths: PropertyPath[] = [];
    const raw = isPlainObject(template.properties) ? template.properties : {};
    for (const key of Object.keys(raw)) {
      const evaluated = resolver.property(name, key);
      if (evaluated === undefined) continue;
      properties[key] = evaluated.value;
      for (const path of evaluated.secretPaths) secretPaths.push([key, ...path]);
    }
    const withDefaults = (def ? withSchemaDefaults(properties, def.properties) : properties) as Record<string, unknown>;
    if (def) secretPaths.push(...writeOnlyPaths(withDefaults, def.properties));
    const requirements: Record<string, string> = {};
    for (const target of requirementTargets(template.requirements)) {
      let key = target.name;
      for (let count = 2; Object.prototype.hasOwnProperty.call(requirements, key); count++) key = `${target.name}#${count}`;
      requirements[key] = target.node;
    }
    const node: ResolvedNode = { type: template.type, properties: withDefaults, requirements, dependencies: dependencies[name] ?? [] };
    if (secretPaths.length > 0) node.secretPaths = sortedPaths(secretPaths);
    nodes[name] = node;
  }

  const outputs: Record<string, ResolvedOutput> = {};
  if (isPlainObject(doc.outputs)) {
    for (const [name, output] of Object.entries(doc.outputs)) {
      if (!isPlainObject(output)) continue;
      const secrets: PropertyPath[] = [];
      const value = resolver.evaluate(output.value, undefined, ['outputs', name, 'value'], [], secrets);
      const resolvedOutput: ResolvedOutput = { value: value === undefined ? null : value };
      if (typeof output.description === 'string') resolvedOutput.description = output.description;
      if (secrets.length > 0) resolvedOutput.secret = true;
      outputs[name] = resolvedOutput;
    }
  }
  if (resolver.problems.length > 0) return { resolved: null, problems: sortProblems(resolver.problems) };
  return {
    resolved: { nodes, outputs, inputs: values, secretInputs: specs.filter((spec) => spec.secret).map((spec) => spec.name) },
    problems: [],
  };
}

/** True when a node of `typeName` is deployed on its own (unknown types count as deployable). */
export function isDeployable(typeName: string): boolean {
  return getNodeType(typeName)?.deployable ?? true;
}

