// The frame every command runs in, on commander: the options all commands share (-o/--output,
// --json, --profile), a context with the API and the output format, and the exit codes: 0 done,
// 1 failed (a failed action, a typed error, an unreachable API), 2 wrong usage.

import { Option, type Command } from 'commander';
import type { Options } from './args.js';
import { Api, resolveConnection, type Connection } from './client.js';
import { CliFailure, UsageError } from './failure.js';
import { formatDocument, OUTPUT_FORMATS, printLines, type OutputFormat } from './output.js';

export interface CommandContext {
  output: OutputFormat;
  /** True for the readable output (`-o table`, the default): progress lines may be printed. */
  readable: boolean;
  /** Resolved on first use, so commands that need no API read no token. */
  readonly connection: Connection;
  readonly api: Api;
  /** The command's result: `lines()` for -o table, the value itself for -o json/yaml. */
  emit(value: unknown, lines: () => string[]): Promise<void>;
}

export type Handler = (ctx: CommandContext, args: string[], options: Options) => Promise<number>;

/** The exit code of the command that ran (commander's action cannot return one). */
let exitCode = 0;
export const commandExitCode = (): number => exitCode;

/** `aos stack create`: the command's full name, for messages. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** An option given at this command or one of its parents (`aos -o json stack list` and `aos stack list -o json`). */
function inherited(command: Command, name: string): unknown {
  for (let at: Command | null = command; at; at = at.parent) {
    const value: unknown = at.opts<Options>()[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

function outputOf(command: Command): OutputFormat {
  const output = inherited(command, 'output');
  if (typeof output === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(output)) return output as OutputFormat;
  return inherited(command, 'json') === true ? 'json' : 'table';
}

/** The options every command takes; commander's own help shows them. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS))
    .addOption(new Option('--json', 'same as -o json').hideHelp())
    .option('--profile <name>', 'login profile to use (default: AOS_PROFILE, else the current profile)');
}

/** A subcommand with the common options. */
export function subcommand(parent: Command, name: string, summary: string): Command {
  return addCommonOptions(parent.command(name).description(summary));
}

function makeContext(command: Command): CommandContext {
  const output = outputOf(command);
  let connection: Connection | null = null;
  let api: Api | null = null;
  const connect = () => (connection ??= resolveConnection(inherited(command, 'profile') as string | undefined));
  return {
    output,
    readable: output === 'table',
    get connection() {
      return connect();
    },
    get api() {
      return (api ??= new Api(connect()));
    },
    async emit(value, lines) {
      if (output === 'table') printLines(lines());
      else process.stdout.write(await formatDocument(value, output));
    },
  };
}

/** Prints a failure on stderr: readable lines, or the error as a JSON/YAML document for -o json/yaml. */
async function reportFailure(failure: CliFailure, output: OutputFormat): Promise<number> {
  if (output === 'table') {
    process.stderr.write(`aos: ${failure.message}\n`);
    for (const line of failure.details) process.stderr.write(`  ${line}\n`);
  } else {
    const error = failure.body ?? { message: failure.message, ...(failure.details.length ? { details: failure.details } : {}) };
    // The typed error as the API gave it, __typename included: it names the error.
    const text = output === 'json' ? `${JSON.stringify({ error }, null, 2)}\n` : (await import('js-yaml')).dump({ error }, { noRefs: true, lineWidth: -1 });
    process.stderr.write(text);
  }
  return 1;
}

/** Commander's action for a handler: runs it and turns what it returns or throws into the exit code. */
export function action(handler: Handler): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const ctx = makeContext(command);
    try {
      exitCode = await handler(ctx, command.args, command.opts<Options>());
    } catch (error) {
      if (error instanceof UsageError) {
        process.stderr.write(`error: ${error.message}\n(run \`${commandPath(command)} --help\` for usage)\n`);
        exitCode = 2;
      } else if (error instanceof CliFailure) {
        exitCode = await reportFailure(error, ctx.output);
      } else {
        throw error;
      }
    }
  };
}
