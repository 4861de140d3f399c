// What a command prints on stdout, in the format `-o` asks for: readable lines (table, the
// default), or the command's result as JSON or YAML — plain objects, lists as arrays of nodes
// (never Relay edges), without GraphQL's __typename. js-yaml is loaded only for YAML.

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A value as -o json/yaml prints it: __typename dropped at every depth, nothing else changed. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '__typename').map(([key, item]) => [key, plain(item)]));
}

/** The nodes of a connection: what a list command prints as -o json/yaml. */
export function nodesOf<TNode>(connection: { edges: { node: TNode }[] }): TNode[] {
  return connection.edges.map((edge) => edge.node);
}

/** One document in the given machine format (json: indented; yaml: block style). */
export async function formatDocument(value: unknown, format: Exclude<OutputFormat, 'table'>): Promise<string> {
  if (format === 'json') return `${JSON.stringify(plain(value), null, 2)}\n`;
  const { dump } = await import('js-yaml');
  return dump(plain(value), { noRefs: true, lineWidth: -1 });
}

/**
 * One record of a stream (`events --follow`): a JSON object per line, or a YAML document per
 * record, so a reader can act on each as it comes.
 */
export async function formatStreamRecord(value: unknown, format: Exclude<OutputFormat, 'table'>): Promise<string> {
  if (format === 'json') return `${JSON.stringify(plain(value))}\n`;
  return `---\n${await formatDocument(value, 'yaml')}`;
}

export function printLines(lines: string[]): void {
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

/** The one wording of every list with nothing in it: `no stacks`, `no audit records`. */
export function emptyList(what: string, hint?: string): string[] {
  return [hint ? `no ${what}: ${hint}` : `no ${what}`];
}
