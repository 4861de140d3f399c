// A template's declared inputs in the browser: their constraints in words, and the checks the
// create-stack form runs before the server does (src/template/input-constraints.ts is the rule;
// the server checks everything again and its answer is mapped onto the fields).
import type { Messages, Translate } from './i18n';
import type { ValidateTemplateQuery } from './sdk';

export type InputSpec = ValidateTemplateQuery['validateTemplate']['inputs'][number];

/** The mask the API writes for secret values (src/template/masking.ts). */
export const SECRET_MASK = '******';

export const INPUT_MESSAGES: Messages = {
  en: {
    'inputs.name': 'Input',
    'inputs.type': 'Type',
    'inputs.required': 'Required',
    'inputs.default': 'Default',
    'inputs.constraints': 'Constraints',
    'inputs.description': 'Description',
    'inputs.yes': 'yes',
    'inputs.no': 'no',
    'inputs.immutable': 'immutable',
    'inputs.none': 'The template declares no inputs.',
    'constraint.valid_values': 'one of {arg}',
    'constraint.equal': 'equal to {arg}',
    'constraint.in_range': 'from {min} to {max}',
    'constraint.greater_than': 'greater than {arg}',
    'constraint.greater_or_equal': 'at least {arg}',
    'constraint.less_than': 'less than {arg}',
    'constraint.less_or_equal': 'at most {arg}',
    'constraint.min_length': 'length at least {arg}',
    'constraint.max_length': 'length at most {arg}',
    'constraint.pattern': 'matches {arg} (RE2)',
    'check.required': 'A value is required.',
    'check.integer': 'Enter a whole number.',
    'check.float': 'Enter a number.',
    'check.json': 'Enter JSON or YAML: {message}',
    'check.list': 'Enter a list, e.g. [a, b].',
    'check.map': 'Enter a mapping, e.g. {key: value}.',
    'check.valid_values': 'Choose one of the allowed values.',
    'check.equal': 'Must equal {arg}.',
    'check.in_range': 'Must be between {min} and {max}.',
    'check.greater_than': 'Must be greater than {arg}.',
    'check.greater_or_equal': 'Must be at least {arg}.',
    'check.less_than': 'Must be less than {arg}.',
    'check.less_or_equal': 'Must be at most {arg}.',
    'check.min_length': 'Must have at least {arg} characters or items.',
    'check.max_length': 'Must have at most {arg} characters or items.',
    'check.pattern': 'Must match the pattern {arg}.',
  },
  'zh-CN': {
    'inputs.name': '输入',
    'inputs.type': '类型',
    'inputs.required': '必填',
    'inputs.default': '默认值',
    'inputs.constraints': '约束',
    'inputs.description': '描述',
    'inputs.yes': '是',
    'inputs.no': '否',
    'inputs.immutable': '不可变',
    'inputs.none': '模板没有声明输入。',
    'constraint.valid_values': '取值之一：{arg}',
    'constraint.equal': '等于 {arg}',
    'constraint.in_range': '{min} 到 {max}',
    'constraint.greater_than': '大于 {arg}',
    'constraint.greater_or_equal': '至少 {arg}',
    'constraint.less_than': '小于 {arg}',
    'constraint.less_or_equal': '至多 {arg}',
    'constraint.min_length': '长度至少 {arg}',
    'constraint.max_length': '长度至多 {arg}',
    'constraint.pattern': '匹配 {arg}（RE2）',
    'check.required': '此项必填。',
    'check.integer': '请输入整数。',
    'check.float': '请输入数字。',
    'check.json': '请输入 JSON 或 YAML：{message}',
    'check.list': '请输入列表，例如 [a, b]。',
    'check.map': '请输入映射，例如 {key: value}。',
    'check.valid_values': '请选择允许的值之一。',
    'check.equal': '必须等于 {arg}。',
    'check.in_range': '必须在 {min} 和 {max} 之间。',
    'check.greater_than': '必须大于 {arg}。',
    'check.greater_or_equal': '必须至少为 {arg}。',
    'check.less_than': '必须小于 {arg}。',
    'check.less_or_equal': '必须至多为 {arg}。',
    'check.min_length': '至少需要 {arg} 个字符或条目。',
    'check.max_length': '至多允许 {arg} 个字符或条目。',
    'check.pattern': '必须匹配模式 {arg}。',
  },
};

/** Catalogues merged: a page's own words beside these. */
export function withMessages(...catalogues: Messages[]): Messages {
  return {
    en: Object.assign({}, ...catalogues.map((c) => c.en)) as Record<string, string>,
    'zh-CN': Object.assign({}, ...catalogues.map((c) => c['zh-CN'])) as Record<string, string>,
  };
}

export interface Constraint {
  name: string;
  argument: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The constraints of a spec, each `{name: argument}` of the template as a pair. */
export function constraintsOf(spec: InputSpec): Constraint[] {
  if (!Array.isArray(spec.constraints)) return [];
  return (spec.constraints as unknown[]).filter(isRecord).flatMap((c) => Object.entries(c).slice(0, 1).map(([name, argument]) => ({ name, argument })));
}

/** A value as text for people: strings as they are, the rest as JSON. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function twoNumbers(argument: unknown): [number, number] | null {
  return Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'number' && typeof argument[1] === 'number' ? [argument[0], argument[1]] : null;
}

/** A constraint in words (`from 1 to 10`). */
export function describeConstraint(t: Translate, constraint: Constraint): string {
  const range = constraint.name === 'in_range' ? twoNumbers(constraint.argument) : null;
  if (range) return t('constraint.in_range', { min: range[0], max: range[1] });
  const arg = Array.isArray(constraint.argument) ? constraint.argument.map(shown).join(', ') : shown(constraint.argument);
  const key = `constraint.${constraint.name}`;
  const text = t(key, { arg });
  return text === key ? `${constraint.name}: ${arg}` : text;
}

function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isRecord(value)) return Object.keys(value).length;
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// RE2 and JavaScript agree on this much of the syntax (literals, classes of literals and ranges,
// groups, alternation, the usual quantifiers, \d \w \b and escaped punctuation); a pattern with
// anything else (flags, \s, \p{…}, POSIX classes, (?P<…>)) is left to the server's check.
const PORTABLE_PATTERN = /^(?:[^\\(]|\\[dwDW.\-+*?()[\]{}|^$/\\]|\((?!\?))*$/;

/** Whether the whole value matches the pattern, as far as the browser can tell the same way RE2 would; null: ask the server. */
function matchesPattern(pattern: string, value: string): boolean | null {
  // RE2's `.` takes \r, U+2028 and U+2029, JavaScript's does not; `[:` may start a POSIX class.
  if (!PORTABLE_PATTERN.test(pattern) || pattern.includes('[:') || /[\r\u2028\u2029]/.test(value) || value.length > 4096) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return null;
  }
}

/** What the value breaks, in the user's language; the same checks as the server's where the browser can make them. */
export function constraintProblems(t: Translate, spec: InputSpec, value: unknown): string[] {
  const problems: string[] = [];
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  for (const { name, argument } of constraintsOf(spec)) {
    // A secret input's valid_values/equal are masked by the API: only the server can check them.
    if (spec.secret && (name === 'valid_values' || name === 'equal')) continue;
    const arg = shown(argument);
    switch (name) {
      case 'valid_values':
        if (Array.isArray(argument) && !argument.some((allowed) => deepEqual(allowed, value))) problems.push(t('check.valid_values'));
        break;
      case 'equal':
        if (!deepEqual(argument, value)) problems.push(t('check.equal', { arg }));
        break;
      case 'in_range': {
        const range = twoNumbers(argument);
        if (range && isNumber && (value < range[0] || value > range[1])) problems.push(t('check.in_range', { min: range[0], max: range[1] }));
        break;
      }
      case 'greater_than':
        if (typeof argument === 'number' && isNumber && !(value > argument)) problems.push(t('check.greater_than', { arg }));
        break;
      case 'greater_or_equal':
        if (typeof argument === 'number' && isNumber && !(value >= argument)) problems.push(t('check.greater_or_equal', { arg }));
        break;
      case 'less_than':
        if (typeof argument === 'number' && isNumber && !(value < argument)) problems.push(t('check.less_than', { arg }));
        break;
      case 'less_or_equal':
        if (typeof argument === 'number' && isNumber && !(value <= argument)) problems.push(t('check.less_or_equal', { arg }));
        break;
      case 'min_length': {
        const length = lengthOf(value);
        if (typeof argument === 'number' && length !== undefined && length < argument) problems.push(t('check.min_length', { arg }));
        break;
      }
      case 'max_length': {
        const length = lengthOf(value);
        if (typeof argument === 'number' && length !== undefined && length > argument) problems.push(t('check.max_length', { arg }));
        break;
      }
      case 'pattern':
        if (typeof argument === 'string' && typeof value === 'string' && matchesPattern(argument, value) === false) problems.push(t('check.pattern', { arg }));
        break;
      default:
        break;
    }
  }
  return problems;
}
