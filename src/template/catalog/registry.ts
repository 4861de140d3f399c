// The node type catalog. Pure data: the validator compiles the JSON Schemas, the planner reads
// replaceOnChange and requirements, so this module may be imported from Temporal workflows.

/** A JSON Schema (draft-07 subset) describing an object. */
export type JsonSchema = { [keyword: string]: unknown };

type AttributeValueType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export interface AttributeDef {
  description: string;
  /** Masked wherever shown (element attributes, outputs derived from it). */
  secret?: boolean;
  type?: AttributeValueType;
}

export interface RequirementDef {
  description: string;
  /** The node type (or a type derived from it) the requirement must name. */
  nodeType: string;
  /** A node of this type is incomplete without it. */
  required?: boolean;
}

export interface NodeTypeDef {
  name: string;
  description: string;
  derivedFrom?: string;
  /** JSON Schema of the node's `properties` (an object schema). `writeOnly: true` marks a secret value. */
  properties: JsonSchema;
  attributes: Record<string, AttributeDef>;
  /** Named requirements the type understands; `dependency` (any node, repeatable) is always allowed. */
  requirements?: Record<string, RequirementDef>;
  /** Top-level property names whose change forces REPLACE; every other change is MODIFY in place. */
  replaceOnChange: string[];
  /** False for types deployed as part of the node that requires them (a ContainerComponent). */
  deployable: boolean;
}

/** The requirement name every type accepts: a plain ordering edge to any node. */
export const GENERIC_REQUIREMENT = 'dependency';

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

const nodeTypes = new Map<string, NodeTypeDef>();

/**
 * Adds a type, or replaces the type of that name (tests register fault-injection types this way).
 * Throws on a malformed definition: that is a programming error, not a template problem.
 */
export function registerNodeType(def: NodeTypeDef): NodeTypeDef {
  if (typeof def.name !== 'string' || !TYPE_NAME.test(def.name)) {
    throw new Error(`node type name "${String(def.name)}" must be dotted, e.g. Vendor.Service.Kind`);
  }
  if (typeof def.properties !== 'object' || def.properties === null || def.properties.type !== 'object') {
    throw new Error(`node type ${def.name}: properties must be a JSON Schema with type "object"`);
  }
  if (!Array.isArray(def.replaceOnChange) || typeof def.deployable !== 'boolean' || typeof def.attributes !== 'object') {
    throw new Error(`node type ${def.name}: replaceOnChange, attributes and deployable are required`);
  }
  nodeTypes.set(def.name, def);
  return def;
}

export function getNodeType(name: string): NodeTypeDef | undefined {
  return nodeTypes.get(name);
}

/** Sorted by name so that documentation and hints are stable. */
export function listNodeTypes(): NodeTypeDef[] {
  return [...nodeTypes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Removes a type registered at runtime (tests clean up with it). */
export function unregisterNodeType(name: string): boolean {
  return nodeTypes.delete(name);
}

/** True when `typeName` is `ancestor` or derives from it. */
export function isNodeTypeOf(typeName: string, ancestor: string): boolean {
  const seen = new Set<string>();
  let current: string | undefined = typeName;
  while (current !== undefined && !seen.has(current)) {
    if (current === ancestor) return true;
    seen.add(current);
    current = nodeTypes.get(current)?.derivedFrom;
  }
  return false;
}

/** Top-level property names the type's schema declares. */
export function declaredPropertyNames(def: NodeTypeDef): string[] {
  const properties = def.properties.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}
