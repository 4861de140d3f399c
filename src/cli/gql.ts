// `aos gql QUERY [--var k=v …]`: any GraphQL operation, the answer printed as the API sent it. For
// what the other commands do not cover, and for seeing exactly what the API says.

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { collect, keyValuePairs, listOption, stringOption } from './args.js';
import { action, addCommonOptions } from './command.js';
import { CliFailure, UsageError } from './failure.js';

const HELP = `
QUERY is the operation text, @FILE to read it from a file, or - to read it from stdin.
Prints {"data": …, "errors": …} (YAML with -o yaml); exits 1 when the answer has errors.

  aos gql '{ viewer { name role tenant { name } } }'
  aos gql 'query($n: String) { stack(name: $n) { status } }' --var n=web`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function operationText(argument: string): Promise<string> {
  if (argument === '-') return readStdin();
  if (argument.startsWith('@')) {
    const file = argument.slice(1);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new CliFailure(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return argument;
}

function variablesOf(json: string | undefined, pairs: string[]): Record<string, unknown> {
  let fromJson: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new UsageError(`--vars is not JSON: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--vars must be a JSON object');
    fromJson = parsed as Record<string, unknown>;
  }
  return { ...fromJson, ...keyValuePairs(pairs, 'var') };
}

export function register(program: Command): void {
  addCommonOptions(program.command('gql').description('send a GraphQL query or mutation, print the answer'))
    .argument('<QUERY>', 'the operation text, @FILE, or - for stdin')
    .option('--var <NAME=VALUE>', 'a variable (numbers and true/false are converted; repeatable)', collect, [])
    .option('--vars <JSON>', "variables as a JSON object, e.g. '{\"a\": 1}'")
    .addHelpText('after', HELP)
    .action(
      action(async (ctx, [query], options) => {
        const variables = variablesOf(stringOption(options, 'vars'), listOption(options, 'var'));
        const answer = await ctx.api.rawRequest(await operationText(query), variables);
        // The answer as it came (__typename included: the user asked for it).
        process.stdout.write(ctx.output === 'yaml' ? (await import('js-yaml')).dump(answer, { noRefs: true, lineWidth: -1 }) : `${JSON.stringify(answer, null, 2)}\n`);
        const errors = (answer as { errors?: unknown[] } | null)?.errors;
        return errors?.length ? 1 : 0;
      }),
    );
}
