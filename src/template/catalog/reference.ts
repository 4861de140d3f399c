// Markdown reference of the node type catalog, generated so the README cannot drift from the code
// (scripts/gen-type-reference.ts writes it; a test compares).

import type { JsonSchema, NodeTypeDef } from './registry.js';

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function literal(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

function typeText(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' or ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  return types
    .map((type) => {
      if (type === 'array') {
        const items = isSchema(schema.items) ? schema.items : undefined;
        return items && !isSchema(items.properties) ? `list of ${typeText(items)}` : 'list';
      }
      if (type === 'object') return 'mapping';
      return type;
    })
    .join(' or ') || 'any';
}

function limits(schema: JsonSchema): string[] {
  const notes: string[] = [];
  if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') notes.push(`${schema.minimum}..${schema.maximum}`);
  else if (typeof schema.minimum === 'number') notes.push(`≥ ${schema.minimum}`);
  else if (typeof schema.maximum === 'number') notes.push(`≤ ${schema.maximum}`);
  if (typeof schema.minLength === 'number' && schema.minLength > 1) notes.push(`at least ${schema.minLength} characters`);
  if (typeof schema.maxLength === 'number') notes.push(`at most ${schema.maxLength} characters`);
  if (typeof schema.pattern === 'string') notes.push(`pattern \`${schema.pattern}\``);
  if (schema.writeOnly === true) notes.push('**secret** (masked)');
  return notes;
}

function propertyRows(schema: JsonSchema, prefix: string, rows: string[]): void {
  if (!isSchema(schema.properties)) return;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [key, value] of Object.entries(schema.properties)) {
    if (!isSchema(value)) continue;
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const defaultText = Object.prototype.hasOwnProperty.call(value, 'default') ? literal(value.default) : '';
    const description = [typeof value.description === 'string' ? value.description : '', limits(value).join(', ')].filter(Boolean).join(' — ');
    rows.push(`| \`${name}\` | ${cell(typeText(value))} | ${required.has(key) ? 'yes' : ''} | ${cell(defaultText)} | ${cell(description)} |`);
    propertyRows(value, name, rows);
    if (isSchema(value.items)) propertyRows(value.items, `${name}[]`, rows);
  }
}

export function renderTypeReference(types: readonly NodeTypeDef[]): string {
  const out: string[] = [];
  for (const def of types) {
    out.push(`#### \`${def.name}\``, '', def.description, '');
    const facts = [
      def.deployable ? 'deployed as an element of its own' : 'not deployed on its own (part of the node that requires it)',
      def.replaceOnChange.length > 0 ? `a change to ${def.replaceOnChange.map((name) => `\`${name}\``).join(', ')} replaces it; other changes are made in place` : 'every change is made in place',
    ];
    if (def.derivedFrom) facts.unshift(`derived from \`${def.derivedFrom}\``);
    out.push(`${facts.join('; ')}.`, '');
    const rows: string[] = [];
    propertyRows(def.properties, '', rows);
    if (rows.length > 0) out.push('| property | type | required | default | notes |', '|---|---|---|---|---|', ...rows, '');
    const attributes = Object.entries(def.attributes);
    if (attributes.length > 0) {
      out.push('| attribute | type | notes |', '|---|---|---|');
      for (const [name, attribute] of attributes) out.push(`| \`${name}\` | ${attribute.type ?? 'any'} | ${cell(attribute.description)}${attribute.secret ? ' **secret**' : ''} |`);
      out.push('');
    }
    const requirements = Object.entries(def.requirements ?? {});
    for (const [name, requirement] of requirements) {
      out.push(`Requirement \`${name}\`${requirement.required ? ' (required)' : ''}: a \`${requirement.nodeType}\` — ${requirement.description}`, '');
    }
  }
  return out.join('\n').trimEnd() + '\n';
}
