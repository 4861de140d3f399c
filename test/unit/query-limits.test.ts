import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from '../../src/api/limits.js';

const schema = buildSchema(`
  type Node { id: ID child: Node children(first: Int): [Node] }
  type Query { root: Node nodes(first: Int): [Node] }
`);
const rule = queryLimitsRule({ maxDepth: 5, maxAliases: 3, maxCost: 1000 });
const errorsOf = (query: string) => validate(schema, parse(query), [rule]).map((e) => e.message);

function nested(depth: number): string {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return `{ ${selection === 'id' ? 'root { id }' : `root { ${selection} }`} }`;
}

describe('query limits', () => {
  it('accepts a query at the depth limit and refuses one level more', () => {
    expect(errorsOf(nested(4))).toEqual([]);
    expect(errorsOf(nested(5))[0]).toMatch(/query depth 6 exceeds the limit of 5/);
  });

  it('follows fragments when measuring depth, without looping on repeated spreads', () => {
    const query = `{ root { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { child { child { id } } } }`;
    expect(errorsOf(query)[0]).toMatch(/depth/);
  });

  it('counts aliases', () => {
    expect(errorsOf(`{ a: root { id } b: root { id } c: root { id } }`)).toEqual([]);
    expect(errorsOf(`{ a: root { id } b: root { id } c: root { id } d: root { id } }`)[0]).toMatch(/4 aliases exceed the limit of 3/);
  });

  it('multiplies cost by page sizes of nested lists', () => {
    expect(errorsOf(`{ nodes(first: 10) { children(first: 10) { id } } }`)).toEqual([]);
    expect(errorsOf(`{ nodes(first: 40) { children(first: 40) { id } } }`)[0]).toMatch(/query cost \d+ exceeds the limit of 1000/);
  });
});
