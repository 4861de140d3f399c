// The CLI's side of the GraphQL API: where it is and who we are (AOS_URL/AOS_TOKEN, a login profile,
// else the admin token `npm run up` keeps in the data directory), every request through the SDK
// (createAosClient and the generated documents, loaded on first use so that `aos --help` does not
// pay for them), and the typed union results (`… on Error`) turned into failures the command prints.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AosClient, AosDocument, StackEvent } from '../sdk/client.js';
import { CliFailure } from './failure.js';
import { configPath, readConfig } from './profiles.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

/** The checkout: two levels above this file, whether it runs as src/cli/*.ts or as the bundle in dist/cli/. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Connection {
  url: string;
  token: string | null;
  /** Where the token came from, for messages (never the token itself). */
  tokenSource: string;
}

/**
 * Where the API is and which token to send, first found wins: AOS_URL and AOS_TOKEN; the profile
 * named by --profile or AOS_PROFILE, else the config's current profile; the admin token in
 * `<AOS_DATA_DIR or the checkout's .aos>/admin-token`. A profile's token goes only to the profile's
 * own URL: with AOS_URL pointing elsewhere it is not sent.
 */
export function resolveConnection(profileOption: string | undefined, env: NodeJS.ProcessEnv = process.env): Connection {
  const envUrl = env.AOS_URL || undefined;
  const envToken = env.AOS_TOKEN?.trim() || undefined;
  const wanted = profileOption ?? (env.AOS_PROFILE || undefined);
  let profile: { name: string; url: string; token: string } | null = null;
  // The config file matters only when the environment does not say everything.
  if (wanted || !envUrl || !envToken) {
    const file = configPath(env);
    const config = readConfig(file);
    const name = wanted ?? config.currentProfile;
    if (wanted && !config.profiles[wanted]) {
      const known = Object.keys(config.profiles);
      throw new CliFailure(`no login profile "${wanted}" in ${file}`, [known.length ? `profiles: ${known.join(', ')}` : 'log in first: aos login --profile NAME --url URL --token-stdin']);
    }
    if (name) profile = { name, ...config.profiles[name] };
  }
  const url = envUrl ?? profile?.url ?? DEFAULT_URL;
  if (envToken) return { url, token: envToken, tokenSource: 'AOS_TOKEN' };
  if (profile && profile.url === url) return { url, token: profile.token, tokenSource: `profile ${profile.name}` };
  const file = path.join(env.AOS_DATA_DIR ?? path.join(repoRoot, '.aos'), 'admin-token');
  if (existsSync(file)) {
    try {
      return { url, token: readFileSync(file, 'utf8').trim(), tokenSource: file };
    } catch (error) {
      throw new CliFailure(`cannot read the admin token in ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); set AOS_TOKEN`);
    }
  }
  return { url, token: null, tokenSource: 'nowhere' };
}

interface GraphQLErrorBody {
  message: string;
  extensions?: Record<string, unknown>;
}

function failureOfErrors(connection: Connection, errors: readonly GraphQLErrorBody[]): CliFailure {
  const [first, ...rest] = errors;
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
  const details = rest.map((error) => error.message);
  if (code === 'UNAUTHENTICATED') details.push(`token from ${connection.tokenSource}`);
  return new CliFailure(code ? `${code}: ${first.message}` : first.message, details, { errors });
}

/** Why a request failed, as the user should read it: unreachable, timed out, refused, or what the API said. */
function failureOfRequest(connection: Connection, error: unknown): CliFailure {
  if (error instanceof CliFailure) return error;
  const withErrors = error as { name?: string; errors?: readonly GraphQLErrorBody[]; status?: number | null; message?: string };
  if (withErrors.name === 'AosRequestError') {
    if (withErrors.errors?.length) return failureOfErrors(connection, withErrors.errors);
    return new CliFailure(`the API at ${connection.url} answered HTTP ${withErrors.status ?? '?'} with something that is not GraphQL`, [withErrors.message ?? '']);
  }
  if (withErrors.name === 'TimeoutError') return new CliFailure(`the API at ${connection.url} did not answer in time`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new CliFailure(`cannot reach the AOS API at ${connection.url} (${reason})`, ['is `npm run up` running? Set AOS_URL, or log in with `aos login`, to point elsewhere.']);
}

/** How a follow's socket behaves; see followEvents. */
export interface StreamSettings {
  /** Called when the server closed the socket with this code (the client reconnects unless refused). */
  onClosed(code: number | undefined): void;
  /** Close codes after which reconnecting is pointless (the token was refused). */
  finalCloseCodes: number[];
}

/** The API through the SDK, for one command run. */
export class Api {
  private client: Promise<AosClient> | null = null;

  constructor(readonly connection: Connection) {}

  private open(): Promise<AosClient> {
    this.client ??= (async () => {
      const { createAosClient } = await import('../sdk/client.js');
      return createAosClient({ url: this.connection.url, token: this.requireToken() });
    })();
    return this.client;
  }

  private requireToken(): string {
    if (this.connection.token) return this.connection.token;
    throw new CliFailure('UNAUTHENTICATED: no API token', ['set AOS_TOKEN, or run `aos login --url URL --token-stdin`']);
  }

  /** One query or mutation: its data, or a CliFailure saying why there is none. */
  async request<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables: TVariables): Promise<TResult> {
    try {
      const client = await this.open();
      return await client.request(document, variables);
    } catch (error) {
      throw failureOfRequest(this.connection, error);
    }
  }

  /**
   * Any operation text (`aos gql`), answered as the API sent it: `{ data, errors }`, errors included
   * (the SDK throws on them; the answer is kept from its fetch).
   */
  async rawRequest(query: string, variables: Record<string, unknown>): Promise<unknown> {
    const { createAosClient } = await import('../sdk/client.js');
    let answer: string | null = null;
    const client = createAosClient({
      url: this.connection.url,
      token: this.requireToken(),
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        answer = await response.clone().text();
        return response;
      },
    });
    try {
      await client.request({ toString: () => query }, variables);
    } catch (error) {
      if (answer === null) throw failureOfRequest(this.connection, error);
    }
    try {
      return JSON.parse(answer ?? 'null') as unknown;
    } catch {
      throw new CliFailure(`the API at ${this.connection.url} answered with something that is not GraphQL: ${String(answer).slice(0, 200)}`);
    }
  }

  /**
   * A stack's events after `since`, oldest first, then live, over graphql-ws (loaded, with `ws`,
   * only here): the SDK's stream, which catches up after every reconnect. `close()` ends it.
   */
  async stackEvents(stackId: string, since: string | null, settings: StreamSettings): Promise<{ events: AsyncIterableIterator<StackEvent>; close(): Promise<void> }> {
    const [{ createAosClient }, { default: WebSocket }] = await Promise.all([import('../sdk/client.js'), import('ws')]);
    const client = createAosClient({
      url: this.connection.url,
      token: this.requireToken(),
      webSocketImpl: WebSocket,
      socket: {
        // Ride out API restarts, network blips and slow-consumer closes (the catch-up fills the gap),
        // but not a refusal: retrying would not change the server's mind.
        retryAttempts: 1000,
        shouldRetry: (closeOrError) => !settings.finalCloseCodes.includes((closeOrError as { code?: number } | null)?.code ?? 0),
        retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
        on: { closed: (event) => settings.onClosed((event as { code?: number } | null)?.code) },
      },
    });
    const events = client.stackEvents(stackId, { since });
    const wrapped: AsyncIterableIterator<StackEvent> = {
      next: async () => {
        try {
          return await events.next();
        } catch (error) {
          throw failureOfRequest(this.connection, error);
        }
      },
      return: async () => events.return?.() ?? { done: true, value: undefined },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return { events: wrapped, close: () => client.close() };
  }
}

// --- typed union results --------------------------------------------------------------------------

export interface ProblemBody {
  code: string;
  path: string;
  line?: number | null;
  column?: number | null;
  message: string;
  hint?: string | null;
}

/** Any member of a result union that is not its success type (the fields each error type may have). */
interface TypedErrorBody {
  __typename: string;
  code?: string;
  message?: string;
  problems?: ProblemBody[];
  status?: string;
  allowedActions?: string[];
  /** StackBusy: the running action. */
  action?: string | null;
  limit?: number;
  stacks?: string[];
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

export function formatProblem(problem: ProblemBody, file?: string): string {
  const hint = problem.hint ? ` (${problem.hint})` : '';
  const place = file ? `${file}:${problem.line ?? 1}:${problem.column ?? 1} ` : problem.line ? `${problem.line}:${problem.column ?? 1} ` : '';
  return `${place}${problem.path || '(document)'} ${problem.code} ${problem.message}${hint}`;
}

function failureOfTypedError(error: TypedErrorBody, context: ProblemContext): CliFailure {
  const headline = `${error.__typename}: ${error.message ?? ''}`;
  if (error.__typename === 'StackBusy' && context.stack) return new CliFailure(`${headline} — ${busyHint(context.stack, error.allowedActions ?? [])}`, [], error);
  const details: string[] = [];
  for (const problem of error.problems ?? []) details.push(formatProblem(problem, context.file));
  if (error.status !== undefined) details.push(`status ${error.status}; allowed now: ${error.allowedActions?.length ? error.allowedActions.join(', ') : 'nothing'}`);
  if (error.limit !== undefined) details.push(`limit ${error.limit}`);
  if (error.stacks?.length) details.push(`used by ${error.stacks.join(', ')}`);
  return new CliFailure(headline, details, error);
}

/** The member of a result union named `typename` (its success type), or a CliFailure describing the typed error. */
export function expectSuccess<TResult extends { __typename: string }, TName extends TResult['__typename']>(
  result: TResult,
  typename: TName,
  context: ProblemContext = {},
): Extract<TResult, { __typename: TName }> {
  if (result.__typename === typename) return result as Extract<TResult, { __typename: TName }>;
  throw failureOfTypedError(result, context);
}

/** A CLI-side NotFound (a lookup by name that found nothing), worded like the API's. */
export function notFound(message: string, details: string[] = []): CliFailure {
  return new CliFailure(`NotFound: ${message}`, details, { __typename: 'NotFound', code: 'NOT_FOUND', message });
}
