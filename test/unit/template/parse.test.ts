import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../src/template/index.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const quickStart = readFileSync(path.resolve(repoRoot, '..', 'shared', 'examples', 'nginx-quickstart.yaml'), 'utf8');

describe('parseTemplate', () => {
  it('reads the quick-start YAML and records where values are', () => {
    const result = parseTemplate(quickStart);
    expect(result.problems).toEqual([]);
    expect(result.format).toBe('yaml');
    expect(result.sourceMap.locate(['node_templates', 'nginx-app', 'properties', 'instances'])).toEqual({ line: 17, column: 7 });
  });

  it('detects JSON and maps positions of nested values', () => {
    const result = parseTemplate('{\n  "a": {\n    "b": [1, {"c": 2}]\n  }\n}');
    expect(result.format).toBe('json');
    expect(result.doc).toEqual({ a: { b: [1, { c: 2 }] } });
    expect(result.sourceMap.locate(['a', 'b', 1, 'c'])).toEqual({ line: 3, column: 15 });
  });

  it('reports JSON syntax errors with line and column', () => {
    const result = parseTemplate('{\n  "a": 1\n  "b": 2\n}');
    expect(result.problems).toMatchObject([{ code: 'JSON_SYNTAX', line: 3, column: 3 }]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const result = parseTemplate('a:\n  b: 1\n c: 2\n');
    expect(result.problems).toMatchObject([{ code: 'YAML_SYNTAX', line: 3, column: 2 }]);
  });

  it('says plainly that tabs cannot indent YAML', () => {
    const result = parseTemplate('a:\n  b: 1\n\tc: 2\n');
    expect(result.problems).toMatchObject([{ code: 'YAML_TAB', line: 3, column: 1 }]);
    expect(result.problems[0].message).toContain('tabs cannot indent YAML; use spaces (2, 4, …)');
  });

  it('refuses text over 1 MiB without parsing it', () => {
    const result = parseTemplate(`a: "${'x'.repeat(1024 * 1024)}"`);
    expect(result.problems).toMatchObject([{ code: 'TOO_LARGE', line: 1 }]);
  });

  it('refuses alias bombs and self-referencing anchors', () => {
    expect(parseTemplate('a: &a\n  b: *a').problems).toMatchObject([{ code: 'INVALID_VALUE', path: 'a.b' }]);
    const bomb = ['a: &a [1,2,3,4,5,6,7,8,9,10]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) {
      bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    expect(parseTemplate(bomb.join('\n')).problems).toMatchObject([{ code: 'TOO_LARGE' }]);
  });

  it('rejects several documents, empty text and non-mappings', () => {
    expect(parseTemplate('a: 1\n---\nb: 2\n').problems).toMatchObject([{ code: 'YAML_SYNTAX' }]);
    expect(parseTemplate('').problems).toMatchObject([{ code: 'NOT_A_MAPPING' }]);
    expect(parseTemplate('[1, 2]').problems).toMatchObject([{ code: 'NOT_A_MAPPING' }]);
  });
});
