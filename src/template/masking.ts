// Secrets never leave the service in clear: password inputs, writeOnly properties, values fed by
// them and secret attributes are shown as SECRET_MASK. Pure.

import { getNodeType } from './catalog/index.js';
import { SECRET_MASK, maskSecretInputs } from './inputs.js';
import { cloneJson, isPlainObject } from './json-values.js';
import type { PropertyPath, ResolvedTemplate } from './types.js';

function maskAt(value: unknown, path: PropertyPath): unknown {
  if (path.length === 0) return value === null || value === undefined ? value : SECRET_MASK;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number' && head < value.length) {
    const copy: unknown[] = [...(value as unknown[])];
    copy[head] = maskAt(copy[head], rest);
    return copy;
  }
  if (isPlainObject(value) && typeof head === 'string' && Object.prototype.hasOwnProperty.call(value, head)) {
    return { ...value, [head]: maskAt(value[head], rest) };
  }
  return value;
}

/** A copy of the resolved template fit to show: secret inputs, secret property values and secret outputs masked. */
export function maskResolvedTemplate(resolved: ResolvedTemplate): ResolvedTemplate {
  const masked = cloneJson(resolved);
  const secretInputs = new Set(resolved.secretInputs ?? []);
  masked.inputs = maskSecretInputs(
    Object.keys(resolved.inputs).map((name) => ({ name, secret: secretInputs.has(name) })),
    masked.inputs,
  );
  for (const node of Object.values(masked.nodes)) {
    for (const path of node.secretPaths ?? []) node.properties = maskAt(node.properties, path) as Record<string, unknown>;
  }
  for (const output of Object.values(masked.outputs)) if (output.secret === true) output.value = maskAt(output.value, []);
  return masked;
}

/** Element attributes fit to show: those the type declares secret are masked. */
export function maskAttributes(typeName: string, attributes: Record<string, unknown>): Record<string, unknown> {
  const def = getNodeType(typeName);
  if (def === undefined) return { ...attributes };
  const masked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) masked[name] = def.attributes[name]?.secret === true && value !== null && value !== undefined ? SECRET_MASK : value;
  return masked;
}

/** The brief's name for masking input values by their specs (same as maskSecretInputs). */
export const maskSecrets = maskSecretInputs;

export { SECRET_MASK, maskSecretInputs };
