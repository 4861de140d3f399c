import { buildSchema, getIntrospectionQuery } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, queryLimitsPlugins, type QueryLimits } from '../../src/api/limits.js';

const schema = buildSchema(`
  type Node { id: ID child: Node children(first: Int, last: Int): [Node] }
  type Query { root: Node nodes(first: Int): [Node] validateTemplate(body: String!): Boolean }
  type Mutation { createTemplate(body: String!): Boolean createStack(name: String!): Boolean }
`);
const limits: QueryLimits = { ...DEFAULT_LIMITS, maxDepth: 5, maxAliases: 3, maxCost: 1000, maxTokens: 400, maxCharacters: 3000, maxDirectives: 4 };
// As in buildApp: the cost rule reads the request's variables, so validation results are not cached.
const yoga = createYoga({ schema, plugins: queryLimitsPlugins(limits), parserAndValidationCache: { validationCache: false }, logging: false });

interface Answer {
  status: number;
  errors: { message: string; code?: string }[];
}

async function send(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const res = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: res.status, errors: (body.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code })) };
}
const messagesOf = async (query: string, variables?: Record<string, unknown>) => (await send(query, variables)).errors.map((e) => e.message);

function nested(depth: number): string {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return `{ root { ${selection} } }`;
}

/** `query { ...F0 }` with `fragment Fi on Query { ...F(i+1) ...F(i+1) }`: 2^levels paths in few bytes. */
function fragmentBomb(levels: number, leaf = 'root { id }'): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { ${leaf} }`;
}

describe('document limits', () => {
  it('accepts a query at the depth limit and refuses one level more', async () => {
    expect(await messagesOf(nested(4))).toEqual([]);
    const refused = await send(nested(5));
    expect(refused.errors[0]).toEqual({ message: 'Query depth limit of 5 exceeded, found 6.', code: 'QUERY_TOO_COMPLEX' });
  });

  it('follows fragments when measuring depth, as if they were written inline', async () => {
    expect(await messagesOf(`{ root { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { id } }`)).toEqual([]);
    expect((await messagesOf(`{ root { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { child { child { id } } } }`))[0]).toMatch(/depth limit of 5 exceeded/);
  });

  it('counts aliases, also those spread from fragments', async () => {
    expect(await messagesOf(`{ a: root { id } b: root { id } c: root { id } }`)).toEqual([]);
    expect((await messagesOf(`{ a: root { id } b: root { id } c: root { id } d: root { id } }`))[0]).toMatch(/Aliases limit of 3 exceeded, found 4/);
    expect((await messagesOf(`{ ...A ...A } fragment A on Query { a: root { id } b: root { id } }`))[0]).toMatch(/Aliases limit of 3 exceeded, found 4/);
  });

  it('counts directives', async () => {
    const directives = Array.from({ length: 5 }, () => '@include(if: true)').join(' ');
    expect((await send(`{ root ${directives} { id } }`)).errors[0]).toMatchObject({ message: expect.stringMatching(/Directives limit of 4 exceeded/), code: 'QUERY_TOO_COMPLEX' });
  });

  it('refuses a document past the token or character limit before parsing it all', async () => {
    const tokens = await send(`{ ${Array.from({ length: 200 }, () => 'root { id }').join(' ')} }`);
    expect(tokens.errors[0]).toEqual({ message: 'Token limit of 400 exceeded.', code: 'QUERY_TOO_LARGE' });
    const characters = await send(`{ root { id } } # ${'x'.repeat(3000)}`);
    expect(characters.errors[0].code).toBe('QUERY_TOO_LARGE');
    expect(characters.errors[0].message).toMatch(/characters, more than the limit of 3000: pass large values .* as variables/);
  });
});

describe('query cost', () => {
  it('multiplies by the page sizes of nested lists', async () => {
    expect(await messagesOf(`{ nodes(first: 10) { children(first: 10) { id } } }`)).toEqual([]);
    const refused = await send(`{ nodes(first: 40) { children(first: 40) { id } } }`);
    expect(refused.errors[0]).toMatchObject({ message: expect.stringMatching(/^query cost exceeds the limit of 1000/), code: 'QUERY_TOO_COMPLEX' });
  });

  it('costs `first: $n` at the variable’s value, like the literal', async () => {
    const query = `query($n: Int) { nodes(first: $n) { children(first: $n) { id } } }`;
    expect(await messagesOf(query, { n: 10 })).toEqual([]);
    // The same document again, with another value: a cached verdict would let it through.
    expect((await messagesOf(query, { n: 40 }))[0]).toMatch(/query cost exceeds the limit/);
    expect((await messagesOf(`query($n: Int = 40) { nodes(first: $n) { children(first: $n) { id } } }`))[0]).toMatch(/query cost exceeds the limit/);
    expect(await messagesOf(`query($n: Int = 10) { nodes(first: $n) { children(first: $n) { id } } }`)).toEqual([]);
  });

  it('costs a variable that is not a usable number at the largest page (100)', async () => {
    const query = `query($n: Int) { nodes(first: 10) { children(first: $n) { id } } }`;
    // 1 + 10 × (1 + 100): over 1000 whatever the value turns out to be.
    expect((await messagesOf(query, { n: 'many' }))[0]).toMatch(/query cost exceeds the limit/);
    expect((await messagesOf(query, { n: 2.5 }))[0]).toMatch(/query cost exceeds the limit/);
    // Unset or null: the argument is absent and the list's default page (20) applies.
    expect(await messagesOf(query)).toEqual([]);
    expect(await messagesOf(query, { n: null })).toEqual([]);
  });

  it('takes the larger of first and last', async () => {
    expect((await messagesOf(`{ nodes(first: 9) { children(first: 1, last: 200) { id } } }`))[0]).toMatch(/query cost exceeds the limit/);
  });

  it('costs a fragment as if written inline, wherever it is spread', async () => {
    const inner = 'children(first: 9) { children(first: 10) { id } }';
    const inline = `{ nodes(first: 8) { ${inner} } root { ${inner} } }`;
    const withFragment = `{ nodes(first: 8) { ...C } root { ...C } } fragment C on Node { ${inner} }`;
    // C costs 1 + 9 × (1 + 10) = 100: (1 + 8 × 100) + (1 + 100) = 902.
    expect(await messagesOf(inline)).toEqual([]);
    expect(await messagesOf(withFragment)).toEqual([]);
    // (1 + 9 × 100) + (1 + 100) = 1002, over 1000 both ways.
    expect((await messagesOf(inline.replace('first: 8', 'first: 9')))[0]).toMatch(/query cost exceeds/);
    expect((await messagesOf(withFragment.replace('first: 8', 'first: 9')))[0]).toMatch(/query cost exceeds/);
  });

  it('refuses a 30-level fragment bomb at once (each fragment costed once)', async () => {
    const started = performance.now();
    const refused = await send(fragmentBomb(30));
    const elapsed = performance.now() - started;
    expect(refused.errors.map((e) => e.code)).toContain('QUERY_TOO_COMPLEX');
    expect(refused.errors.some((e) => /query cost exceeds the limit/.test(e.message))).toBe(true);
    expect(elapsed).toBeLessThan(100);
  });

  it('allows two template-heavy fields per operation, not three (aliases and fragments included)', async () => {
    expect(await messagesOf(`{ a: validateTemplate(body: "x") b: validateTemplate(body: "y") }`)).toEqual([]);
    const three = await send(`{ a: validateTemplate(body: "x") b: validateTemplate(body: "y") c: validateTemplate(body: "z") }`);
    expect(three.errors[0]).toMatchObject({ message: expect.stringMatching(/more than 2 template-heavy fields/), code: 'QUERY_TOO_COMPLEX' });
    expect((await messagesOf(`{ ...V ...V } fragment V on Query { a: validateTemplate(body: "x") root { id } }`))).toEqual([]);
    expect((await messagesOf(`{ ...V ...V ...V } fragment V on Query { validateTemplate(body: "x") }`))[0]).toMatch(/template-heavy/);
    expect((await messagesOf(`mutation { a: createTemplate(body: "x") b: createStack(name: "s") c: createStack(name: "t") }`))[0]).toMatch(/template-heavy/);
  });

  it('counts introspection exactly, on the schema: under 20 000 the full introspection passes, under 1 000 it does not', async () => {
    const bigger = createYoga({ schema, plugins: queryLimitsPlugins({ ...limits, maxCost: 20_000, maxTokens: 1_000 }), parserAndValidationCache: { validationCache: false }, logging: false });
    const ask = async (query: string) => {
      const res = await bigger.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
    };
    // 15 levels deep: past maxDepth (5 here) if `__schema` were measured like data.
    const full = await ask(getIntrospectionQuery());
    expect(full.errors).toBeUndefined();
    expect(full.data).toBeTruthy();
    // About 950 fields (the introspection types are part of the schema), counted one by one with
    // the fragment spreads that reach them: over 1 000.
    const started = performance.now();
    const refused = await send(getIntrospectionQuery());
    expect(performance.now() - started).toBeLessThan(100);
    expect(refused.errors[0]).toMatchObject({ message: expect.stringMatching(/query cost exceeds the limit of 1000/), code: 'QUERY_TOO_COMPLEX' });
    // Spreads without fields are counted too: no unbounded work hides in them.
    const spreads = Array.from({ length: 30 }, (_, i) => `fragment T${i} on __Type { ...T${i + 1} ...T${i + 1} }`).join(' ');
    const bomb = await ask(`{ __schema { types { ...T0 } } } ${spreads} fragment T30 on __Type { name }`);
    expect(bomb.errors?.[0]).toMatchObject({ message: expect.stringMatching(/query cost exceeds/) });
  });
});
