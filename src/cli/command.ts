// The frame of a command group (`aos stack …`, `aos tenant …`): subcommands with their options and
// usage, `--help`, `--json`, and the exit codes every command shares: 0 done, 1 failed (a typed
// error, a failed action, an unreachable API), 2 wrong usage.

import { parseCommandArgs, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { CliFailure, connectionFromEnv, printJson, reportFailure, request, type Connection, type Variables } from './client.js';

export interface CommandContext {
  /** --json: print the API's raw answer instead of the readable form. */
  json: boolean;
  connection: Connection;
  /** One GraphQL request; with --json its data is printed as it came. */
  call<TData>(query: string, variables?: Variables): Promise<TData>;
}

export interface Subcommand {
  /** Arguments after `aos GROUP NAME`, e.g. `NAME --template T [--input k=v …]`. */
  args: string;
  summary: string;
  /** Lines after the usage in `--help`. */
  details?: string[];
  options?: OptionSpec;
  run(parsed: ParsedArgs, context: CommandContext): Promise<number>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  subcommands: Record<string, Subcommand>;
}

const CONNECTION_HELP = 'The API is at AOS_URL (default http://127.0.0.1:4000/graphql); the token is AOS_TOKEN, else .aos/admin-token.';

function usageOf(group: CommandGroup): string {
  const lines = [`usage: aos ${group.name} <subcommand> [arguments] [--json]`, '', `${group.summary}:`];
  for (const [name, sub] of Object.entries(group.subcommands)) lines.push(`  aos ${group.name} ${name} ${sub.args}`.trimEnd(), `      ${sub.summary}`);
  lines.push('', `Run \`aos ${group.name} <subcommand> --help\` for details. ${CONNECTION_HELP}`);
  return lines.join('\n');
}

function subcommandUsage(group: CommandGroup, name: string, sub: Subcommand): string {
  return [`usage: aos ${group.name} ${name} ${sub.args}`.trimEnd(), '', sub.summary, ...(sub.details?.length ? ['', ...sub.details] : [])].join('\n');
}

function makeContext(json: boolean, connection: Connection = connectionFromEnv()): CommandContext {
  return {
    json,
    connection,
    async call<TData>(query: string, variables: Variables = {}): Promise<TData> {
      const data = await request<TData>(connection, query, variables);
      if (json) printJson(data);
      return data;
    },
  };
}

/** Parses, runs and maps failures to exit codes: one subcommand, already chosen. */
async function runParsed(title: string, usage: string, sub: Subcommand, args: string[]): Promise<number> {
  try {
    const parsed = parseCommandArgs(args, sub.options ?? {});
    if (parsed.values.help === true) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    return await sub.run(parsed, makeContext(parsed.values.json === true));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${title}: ${error.message}\n${usage}\n`);
      return 2;
    }
    if (error instanceof CliFailure) return reportFailure(error);
    throw error;
  }
}

/** A command without subcommands (`aos audit`, `aos whoami`). */
export function runSingle(name: string, sub: Subcommand, args: string[]): Promise<number> {
  const usage = [`usage: aos ${name} ${sub.args}`.trimEnd(), '', sub.summary, ...(sub.details ?? []), '', CONNECTION_HELP].join('\n');
  return runParsed(`aos ${name}`, usage, sub, args);
}

export async function runGroup(group: CommandGroup, args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(`${usageOf(group)}\n`);
    return name === undefined ? 2 : 0;
  }
  const sub = Object.prototype.hasOwnProperty.call(group.subcommands, name) ? group.subcommands[name] : undefined;
  if (!sub) {
    process.stderr.write(`aos ${group.name}: unknown subcommand "${name}"\n${usageOf(group)}\n`);
    return 2;
  }
  return runParsed(`aos ${group.name} ${name}`, subcommandUsage(group, name, sub), sub, rest);
}
