// Template + input values → resolved template: inputs checked and applied, get_input/get_property/
// concat/join evaluated, get_attribute kept as a deferred reference. Pure (no validator library):
// the pure entry point offers it to workflows; the public `resolveTemplate` in index.ts adds the
// schema check of the resolved properties.

import { getNodeType, type NodeTypeDef } from './catalog/index.js';
import { combineConcat, combineJoin, isDeferred, valueAtPath } from './deferred.js';
import { SELF, asFunctionCall, concatParts, inputReference, joinArguments, nodeReference } from './functions.js';
import { checkInputValue, constraintFailures, entryTypeOf, inputSpecsOf } from './inputs.js';
import { cloneJson, deepEqual, isPlainObject } from './json-values.js';
import { formatPath, type PathSegment } from './path.js';
import { documentDependencies, requirementTargets } from './plan.js';
import { ProblemCode, closestName, sortProblems } from './problems.js';
import { schemaAt, withSchemaDefaults, writeOnlyPaths } from './schema-walk.js';
import type { InputSpec, PropertyPath, ResolvedNode, ResolvedOutput, ResolvedTemplate, TemplateDoc, TemplateProblem } from './types.js';

export interface ResolveResult {
  resolved: ResolvedTemplate | null;
  problems: TemplateProblem[];
}

function problem(code: string, path: readonly PathSegment[], message: string, hint?: string): TemplateProblem {
  return hint === undefined ? { code, path: formatPath(path), message } : { code, path: formatPath(path), message, hint };
}

/**
 * Checks input values against the declarations and applies defaults. Unknown names, missing
 * required inputs, wrong types and failed constraints are problems at `inputs.<name>`.
 * Values may be given as text ("3", "true"): they are converted when they spell the type exactly.
 * An input that is not required and has no default resolves to null.
 */
export function resolveInputValues(doc: unknown, given: Record<string, unknown>): { values: Record<string, unknown>; specs: InputSpec[]; problems: TemplateProblem[] } {
  const specs = inputSpecsOf(doc);
  const declarations = isPlainObject(doc) && isPlainObject(doc.inputs) ? doc.inputs : {};
  const problems: TemplateProblem[] = [];
  const values: Record<string, unknown> = {};
  const names = specs.map((spec) => spec.name);
  const provided = isPlainObject(given) ? given : {};
  for (const name of Object.keys(provided)) {
    if (!names.includes(name)) {
      const close = closestName(name, names);
      problems.push(problem(ProblemCode.UNKNOWN_INPUT, ['inputs', name], `the template has no input "${name}"`, close ? `did you mean "${close}"?` : names.length > 0 ? `inputs: ${names.join(', ')}` : 'the template declares no inputs'));
    }
  }
  for (const spec of specs) {
    const path = ['inputs', spec.name];
    const value = provided[spec.name];
    if (value === undefined || value === null) {
      if (spec.default !== undefined) values[spec.name] = cloneJson(spec.default);
      else if (spec.required) {
        problems.push(problem(ProblemCode.MISSING_INPUT, path, `input "${spec.name}" is required`, `give a ${spec.type} value${spec.description ? ` (${spec.description})` : ''}`));
      } else values[spec.name] = null;
      continue;
    }
    const checked = checkInputValue(spec.type, value, { coerce: true, entryType: entryTypeOf(declarations[spec.name]) });
    if (!checked.ok) {
      problems.push(problem(ProblemCode.TYPE_MISMATCH, path, `input "${spec.name}": ${spec.secret ? `expected ${spec.type} text` : checked.message}`));
      continue;
    }
    const failures = constraintFailures(checked.value, spec.constraints, spec.secret);
    for (const failure of failures) problems.push(problem(ProblemCode.CONSTRAINT_FAILED, path, `input "${spec.name}": ${failure}`));
    if (failures.length === 0) values[spec.name] = checked.value;
  }
  return { values, specs, problems };
}

/** Problems for immutable inputs whose value an update would change. */
export function immutableInputProblems(doc: unknown, previous: Record<string, unknown>, next: Record<string, unknown>): TemplateProblem[] {
  return inputSpecsOf(doc)
    .filter((spec) => spec.immutable && Object.prototype.hasOwnProperty.call(previous, spec.name) && !deepEqual(previous[spec.name], next[spec.name]))
    .map((spec) => problem(ProblemCode.IMMUTABLE_INPUT, ['inputs', spec.name], `input "${spec.name}" is immutable: it cannot change once the stack exists`, 'create a new stack to use another value'));
}

interface Evaluated {
  value: unknown;
  /** Paths (relative to the evaluated value) that hold secret data. */
  secretPaths: PropertyPath[];
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
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
      this.problems.push(problem(ProblemCode.CYCLE, at, `property "${name}" of "${node}" refers back to itself through get_property`));
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
        return cloneJson(found);
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
        if (property.secretPaths.some((secret) => isPrefix(secret, path) || isPrefix(path, secret))) secrets.push(relative);
        return this.navigate(property.value, path, argsAt, `property "${reference.value.name}" of "${target}"`);
      }
      case 'get_attribute': {
        const reference = nodeReference('get_attribute', call.args);
        if (!reference.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, reference.message);
        if (this.typeOf(reference.value.node)?.attributes[reference.value.name]?.secret === true) secrets.push(relative);
        return { get_attribute: cloneJson(call.args) };
      }
      case 'concat': {
        const parts = concatParts(call.args);
        if (!parts.ok) return this.fail(ProblemCode.BAD_FUNCTION, argsAt, parts.message);
        const partSecrets: PropertyPath[] = [];
        const evaluated = parts.value.map((part, index) => this.evaluate(part, node, [...argsAt, index], [index], partSecrets));
        if (partSecrets.length > 0) secrets.push(relative);
        return evaluated.some(isDeferred) ? { concat: evaluated } : combineConcat(evaluated);
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
        return combineJoin(parts, joined.value.delimiter);
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

  private navigate(value: unknown, path: PathSegment[], at: PathSegment[], what: string): unknown {
    if (path.length === 0) return cloneJson(value);
    const call = asFunctionCall(value);
    if (call?.name === 'get_attribute' && Array.isArray(call.args)) return { get_attribute: [...cloneJson(call.args), ...path] };
    if (isDeferred(value) && asFunctionCall(value) !== undefined) {
      return this.fail(ProblemCode.BAD_FUNCTION, at, `${what} is only known after deployment and cannot be indexed with ${formatPath(path)}`);
    }
    const found = valueAtPath(value, path);
    if (found === undefined) return this.fail(ProblemCode.UNDEFINED_PROPERTY, at, `${what} has nothing at ${formatPath(path)}`);
    return cloneJson(found);
  }

  private fail(code: string, at: PathSegment[], message: string): null {
    this.problems.push(problem(code, at, message));
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
 * problems. Resolved properties include the defaults of the node type's schema.
 */
export function resolveTemplatePure(doc: TemplateDoc | unknown, inputs: Record<string, unknown>): ResolveResult {
  if (!isPlainObject(doc) || !isPlainObject(doc.node_templates)) {
    return { resolved: null, problems: [problem(ProblemCode.NOT_A_MAPPING, [], 'resolve needs a validated template document')] };
  }
  const { values, specs, problems } = resolveInputValues(doc, inputs);
  if (problems.length > 0) return { resolved: null, problems: sortProblems(problems) };

  const resolver = new Resolver(doc, values, specs);
  const dependencies = documentDependencies(doc);
  const nodes: Record<string, ResolvedNode> = {};
  for (const [name, template] of Object.entries(doc.node_templates)) {
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

