// The CLI's side of the GraphQL API: where it is (AOS_URL), who we are (AOS_TOKEN, else the admin
// token `npm run up` keeps in the data directory), one request over HTTP with fetch, and the typed
// union results (`… on Error`) turned into a failure the command prints.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config.js';

const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

export interface Connection {
  url: string;
  token: string | null;
  /** Where the token came from, for messages (never the token itself). */
  tokenSource: string;
}

/** AOS_URL and AOS_TOKEN; without AOS_TOKEN, `<data dir>/admin-token` when it exists. */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): Connection {
  const url = env.AOS_URL || DEFAULT_URL;
  if (env.AOS_TOKEN) return { url, token: env.AOS_TOKEN.trim(), tokenSource: 'AOS_TOKEN' };
  const dataDir = env.AOS_DATA_DIR ?? path.join(repoRoot, '.aos');
  const file = path.join(dataDir, 'admin-token');
  if (existsSync(file)) {
    try {
      return { url, token: readFileSync(file, 'utf8').trim(), tokenSource: file };
    } catch (error) {
      throw new CliFailure(`cannot read the admin token in ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); set AOS_TOKEN`);
    }
  }
  return { url, token: null, tokenSource: 'nowhere (set AOS_TOKEN)' };
}

/** A failure the command reports on stderr as `aos: MESSAGE` (plus detail lines), exit code 1. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string };
}

export interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: GraphQLErrorBody[];
}

export type Variables = Record<string, unknown>;

/** The raw response; fails only when the API cannot be reached or answers something else than GraphQL. */
export async function requestRaw<TData>(connection: Connection, query: string, variables: Variables = {}): Promise<GraphQLResponse<TData>> {
  let response: Response;
  try {
    response = await fetch(connection.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(connection.token ? { authorization: `Bearer ${connection.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new CliFailure(`cannot reach the AOS API at ${connection.url} (${reason})`, ['is `npm run up` running? Set AOS_URL to point elsewhere.']);
  }
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse<TData>;
  } catch {
    throw new CliFailure(`the API at ${connection.url} answered HTTP ${response.status} with something that is not GraphQL: ${text.slice(0, 200)}`);
  }
}

/** The data of a response; GraphQL errors (bad token, bad query) become a CliFailure. */
export async function request<TData>(connection: Connection, query: string, variables: Variables = {}): Promise<TData> {
  const response = await requestRaw<TData>(connection, query, variables);
  if (response.errors?.length) throw failureOfErrors(connection, response.errors);
  if (!response.data) throw new CliFailure('the API answered without data');
  return response.data;
}

export function failureOfErrors(connection: Connection, errors: GraphQLErrorBody[]): CliFailure {
  const [first, ...rest] = errors;
  const code = first.extensions?.code;
  const details = rest.map((error) => error.message);
  if (code === 'UNAUTHENTICATED') details.push(`token from ${connection.tokenSource}`);
  return new CliFailure(code ? `${code}: ${first.message}` : first.message, details);
}

// --- typed union results --------------------------------------------------------------------------

export interface ProblemBody {
  code: string;
  path: string;
  line: number | null;
  column: number | null;
  message: string;
  hint: string | null;
}

/** Any member of a result union that is not its success type. */
export interface TypedErrorBody {
  __typename: string;
  code: string;
  message: string;
  problems?: ProblemBody[];
  status?: string;
  allowedActions?: string[];
  /** StackBusy: the running action. */
  action?: string;
  limit?: number;
  stacks?: string[];
}

/** Error types with fields of their own; each is selected only in unions that contain it. */
export type DetailedErrorType = 'ValidationError' | 'InvalidStackState' | 'StackBusy' | 'QuotaExceeded' | 'ClusterInUse';

const DETAIL_FIELDS: Record<DetailedErrorType, string> = {
  ValidationError: '... on ValidationError { problems { code path line column message hint } }',
  InvalidStackState: '... on InvalidStackState { status allowedActions }',
  StackBusy: '... on StackBusy { action allowedActions }',
  QuotaExceeded: '... on QuotaExceeded { limit }',
  ClusterInUse: '... on ClusterInUse { stacks }',
};

/**
 * The selection for the error members of a result union. GraphQL refuses a fragment on a type
 * the union cannot hold, so the detailed types are named per union.
 */
export function errorSelection(...detailed: DetailedErrorType[]): string {
  return ['__typename', '... on Error { code message }', ...detailed.map((type) => DETAIL_FIELDS[type])].join(' ');
}

export interface ProblemContext {
  /** The file the problems' lines and columns refer to (a template file). */
  file?: string;
  /** The stack the request was about: named in the commands a StackBusy failure suggests. */
  stack?: string;
}

/** What to do about a busy stack, as commands to run: only what the API says is allowed now. */
function busyHint(stack: string, allowedActions: string[]): string {
  const name = /^[\w.-]+$/.test(stack) ? stack : JSON.stringify(stack);
  const steps = [`wait (aos stack wait ${name})`];
  if (allowedActions.includes('CANCEL')) steps.push(`cancel (aos stack cancel ${name})`);
  if (allowedActions.includes('FORCE_DELETE')) steps.push(`force-delete (aos stack delete ${name} --force)`);
  const last = steps.pop();
  return steps.length ? `${steps.join(', ')} or ${last}` : `${last}`;
}

export function formatProblem(problem: Pick<ProblemBody, 'code' | 'path' | 'message'> & { line?: number | null; column?: number | null; hint?: string | null }, file?: string): string {
  const hint = problem.hint ? ` (${problem.hint})` : '';
  const place = file ? `${file}:${problem.line ?? 1}:${problem.column ?? 1} ` : problem.line ? `${problem.line}:${problem.column ?? 1} ` : '';
  return `${place}${problem.path || '(document)'} ${problem.code} ${problem.message}${hint}`;
}

function failureOfTypedError(error: TypedErrorBody, context: ProblemContext = {}): CliFailure {
  if (error.__typename === 'StackBusy' && context.stack) {
    return new CliFailure(`StackBusy: ${error.message} — ${busyHint(context.stack, error.allowedActions ?? [])}`);
  }
  const details: string[] = [];
  for (const problem of error.problems ?? []) details.push(formatProblem(problem, context.file));
  if (error.status !== undefined) details.push(`status ${error.status}; allowed now: ${error.allowedActions?.length ? error.allowedActions.join(', ') : 'nothing'}`);
  if (error.limit !== undefined) details.push(`limit ${error.limit}`);
  if (error.stacks?.length) details.push(`used by ${error.stacks.join(', ')}`);
  return new CliFailure(`${error.__typename}: ${error.message}`, details);
}

/** True for the success member of a result union (every success type is named `…Success`). */
function isSuccess<TSuccess extends { __typename: string }>(result: TSuccess | TypedErrorBody): result is TSuccess {
  return result.__typename.endsWith('Success');
}

/** The success member, or a CliFailure describing the typed error. */
export function expectSuccess<TSuccess extends { __typename: string }>(result: TSuccess | TypedErrorBody, context: ProblemContext = {}): TSuccess {
  if (isSuccess(result)) return result;
  throw failureOfTypedError(result, context);
}

// --- output ------------------------------------------------------------------------------------------

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: string[]): void {
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Reports a failure on stderr; the exit code is 1. */
export function reportFailure(failure: CliFailure): number {
  process.stderr.write(`aos: ${failure.message}\n`);
  for (const line of failure.details) process.stderr.write(`  ${line}\n`);
  return 1;
}
