// Shapes shared by every part of the template language. Pure declarations: Temporal workflows
// import this module, so it must stay free of IO and of the parser/validator libraries.

export interface TemplateProblem {
  code: string;
  /** Dotted path into the document, e.g. `node_templates.nginx-app.properties.instances`; '' is the whole document. */
  path: string;
  line?: number;
  column?: number;
  message: string;
  hint?: string;
}

export interface InputSpec {
  name: string;
  /** As written in the template (`password` and its alias `secret` both set `secret`). */
  type: string;
  default?: unknown;
  description?: string;
  label?: string;
  constraints?: Record<string, unknown>[];
  immutable: boolean;
  required: boolean;
  secret: boolean;
}

export interface InputDefinition {
  type: string;
  description?: string;
  label?: string;
  default?: unknown;
  required?: boolean;
  immutable?: boolean;
  constraints?: Record<string, unknown>[];
  entry_schema?: { type: string };
}

/** `- package: {node: nginx-container}` or `- package: nginx-container`. */
type RequirementEntry = Record<string, string | { node: string; relationship?: string; capability?: string }>;

export interface NodeTemplate {
  type: string;
  description?: string;
  metadata?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  requirements?: RequirementEntry[];
}

export interface OutputDefinition {
  value: unknown;
  description?: string;
}

/** A template that passed validation (before that, treat a parsed document as `unknown`). */
export interface TemplateDoc {
  tosca_definitions_version: string;
  description?: string;
  metadata?: Record<string, unknown>;
  inputs?: Record<string, InputDefinition>;
  node_templates: Record<string, NodeTemplate>;
  outputs?: Record<string, OutputDefinition>;
}

/** A path inside a node's properties, e.g. ['package', 'secrets', 0, 'value']. */
export type PropertyPath = Array<string | number>;

export interface ResolvedNode {
  type: string;
  /** Inputs and get_property substituted; get_attribute stays as `{get_attribute: [...]}` (deferred). */
  properties: Record<string, unknown>;
  /** Requirement name → required node name. */
  requirements: Record<string, string>;
  /** Nodes that must be deployed before this one (requirements and references), sorted. */
  dependencies: string[];
  /** Property paths whose values are secret (fed by a password input, or secret by the type's schema). */
  secretPaths?: PropertyPath[];
}

export interface ResolvedOutput {
  value: unknown;
  description?: string;
  /** Derived from a password input, a secret property or a secret attribute: mask when shown. */
  secret?: boolean;
}

/** Plain JSON data: stored in PostgreSQL and passed through Temporal. */
export interface ResolvedTemplate {
  nodes: Record<string, ResolvedNode>;
  outputs: Record<string, ResolvedOutput>;
  /** Every declared input with its effective value (defaults applied). */
  inputs: Record<string, unknown>;
  /** Names of password/secret inputs, so the template can be masked without its document. */
  secretInputs?: string[];
}

export type ChangeKind = 'ADD' | 'MODIFY' | 'REPLACE' | 'DELETE' | 'NO_CHANGE';

export interface ElementChange {
  element: string;
  type: string;
  change: ChangeKind;
  /** Top-level property names that differ; `requirements.<name>` when a requirement (or what it points at) changed. */
  changedProperties: string[];
}

export interface TemplatePlan {
  /** Install waves: every element of wave k depends only on elements of earlier waves. */
  waves: string[][];
  /** `waves` flattened: a valid install order. */
  order: string[];
  /** The waves for deletion and rollback: install waves reversed. */
  deleteWaves: string[][];
  dependencies: Record<string, string[]>;
  /** Dependency cycles, each as its members in order; their members (and what needs them) are in no wave. */
  cycles: string[][];
  /** Elements left out of the waves because they sit on or behind a cycle. */
  blocked: string[];
}

export interface TemplateAnalysis {
  valid: boolean;
  problems: TemplateProblem[];
  doc: TemplateDoc | null;
  inputs: InputSpec[];
  /** Install order (blocked elements, if any, last). */
  elements: string[];
  outputs: string[];
}
