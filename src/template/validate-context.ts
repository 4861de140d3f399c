// What the checks of one template share: its sections (each an empty mapping when absent or not
// a mapping; the structure check reports that) and the reporter they add problems to.
import { getNodeType, type NodeTypeDef } from './catalog/index.js';
import { isPlainObject } from './json-values.js';
import type { Reporter } from './problem-reporter.js';

/** Names of inputs, node templates and outputs are at most this long. */
export const MAX_NAME_LENGTH = 128;

export interface TemplateCheck {
  readonly doc: Record<string, unknown>;
  readonly inputs: Record<string, unknown>;
  readonly nodes: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  readonly report: Reporter;
}

export function templateCheck(doc: Record<string, unknown>, report: Reporter): TemplateCheck {
  return {
    doc,
    inputs: isPlainObject(doc.inputs) ? doc.inputs : {},
    nodes: isPlainObject(doc.node_templates) ? doc.node_templates : {},
    outputs: isPlainObject(doc.outputs) ? doc.outputs : {},
    report,
  };
}

/** The type definition of node template `name`, when it names a known type. */
export function nodeTypeOf(check: TemplateCheck, name: string): NodeTypeDef | undefined {
  const template = check.nodes[name];
  return isPlainObject(template) && typeof template.type === 'string' ? getNodeType(template.type) : undefined;
}
