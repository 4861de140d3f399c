// `aos gql QUERY [--var k=v …]`: any GraphQL operation, the answer printed as JSON. For what the
// other commands do not cover, and for seeing exactly what the API says.

import { readFile } from 'node:fs/promises';
import { keyValuePairs, listOption, parseCommandArgs, stringOption, UsageError } from './args.js';
import { CliFailure, connectionFromEnv, printJson, reportFailure, requestRaw } from './client.js';

export const summary = 'send a GraphQL query or mutation, print the JSON answer';

const USAGE = `usage: aos gql QUERY [--var NAME=VALUE …] [--vars JSON]

QUERY is the operation text, @FILE to read it from a file, or - to read it from stdin.
--var NAME=VALUE sets a variable (numbers and true/false are converted; repeatable);
--vars '{"a": 1}' sets them from a JSON object. Prints {"data": …, "errors": …};
exits 1 when the answer has errors. The API is at AOS_URL, the token is AOS_TOKEN.

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

export async function run(args: string[]): Promise<number> {
  try {
    const parsed = parseCommandArgs(args, { var: { type: 'string', multiple: true }, vars: { type: 'string' } });
    if (parsed.values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length ? 'give the operation as one argument (quote it)' : 'missing QUERY');
    const variables = variablesOf(stringOption(parsed, 'vars'), listOption(parsed, 'var'));
    const response = await requestRaw(connectionFromEnv(), await operationText(parsed.positionals[0]), variables);
    printJson(response);
    return response.errors?.length ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`aos gql: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof CliFailure) return reportFailure(error);
    throw error;
  }
}
