// `aos user …` and `aos token …`: users of a tenant and their API tokens. A token is printed once,
// alone on stdout (so `export AOS_TOKEN=$(aos user create …)` works); the API keeps only its
// digest, so it cannot be shown again.

import { expectPositionals, intOption, stringOption, UsageError } from './args.js';
import { CliFailure, errorSelection, expectSuccess, printLines, request, type TypedErrorBody } from './client.js';
import { runGroup, type CommandContext, type CommandGroup } from './command.js';
import { shortTime, table } from './format.js';
import { resolveTenant } from './tenant.js';

export const summary = 'users (ADMIN): create (printing its API token once), list, delete';

const ROLES = ['ADMIN', 'OPERATOR', 'VIEWER'] as const;
type Role = (typeof ROLES)[number];

export interface UserBody {
  id: string;
  name: string;
  role: Role;
  tenant: { id: string; name: string };
}

interface TokenBody {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const USER_FIELDS = 'id name role platformAdmin tenant { id name } tokens { id name createdAt expiresAt lastUsedAt }';
type ListedUser = UserBody & { platformAdmin: boolean; tokens: TokenBody[] };

/** The users of `--tenant` (default: the caller's own), as the API lets the caller see them. */
async function listUsers(ctx: CommandContext, tenantRef: string | undefined, print: boolean): Promise<ListedUser[]> {
  const tenantId = tenantRef ? (await resolveTenant(ctx.connection, tenantRef)).id : null;
  const query = `query($tenantId: ID) { users(tenantId: $tenantId) { ${USER_FIELDS} } }`;
  const data = print ? await ctx.call<{ users: ListedUser[] }>(query, { tenantId }) : await ctxRequest<{ users: ListedUser[] }>(ctx, query, { tenantId });
  return data.users;
}

/** A lookup on the way to the command's own call: never printed by --json. */
function ctxRequest<T>(ctx: CommandContext, query: string, variables: Record<string, unknown>): Promise<T> {
  return request<T>(ctx.connection, query, variables);
}

/** A user named (or with the id) `ref` in `--tenant` (default: the caller's own). */
async function resolveUser(ctx: CommandContext, ref: string, tenantRef: string | undefined): Promise<ListedUser> {
  const users = await listUsers(ctx, tenantRef, false);
  const found = users.find((user) => user.name === ref || user.id.toLowerCase() === ref.toLowerCase());
  if (!found) throw new CliFailure(`NotFound: user "${ref}" not found`, tenantRef ? [] : ['add --tenant TENANT for a user of another tenant']);
  return found;
}

const group: CommandGroup = {
  name: 'user',
  summary: 'Users',
  subcommands: {
    create: {
      args: '--tenant TENANT NAME --role ADMIN|OPERATOR|VIEWER',
      summary: 'create a user of TENANT (its name or id; ADMIN only) and print its API token, once',
      details: [
        'The token alone goes to stdout, the rest to stderr:',
        '  export AOS_TOKEN=$(aos user create --tenant acme ops --role OPERATOR)',
      ],
      options: { tenant: { type: 'string' }, role: { type: 'string' } },
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const tenantRef = stringOption(parsed, 'tenant');
        if (!tenantRef) throw new UsageError('missing --tenant TENANT');
        const role = (stringOption(parsed, 'role') ?? '').toUpperCase();
        if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const tenant = await resolveTenant(ctx.connection, tenantRef);
        const data = await ctx.call<{ createUser: { __typename: 'CreateUserSuccess'; token: string; user: UserBody } | TypedErrorBody }>(
          `mutation($input: CreateUserInput!) { createUser(input: $input) { ${errorSelection('ValidationError')} ... on CreateUserSuccess { token user { id name role tenant { id name } } } } }`,
          { input: { tenantId: tenant.id, name, role } },
        );
        const created = expectSuccess(data.createUser);
        if (!ctx.json) {
          process.stderr.write(`user ${created.user.name} (${created.user.role}) of tenant ${created.user.tenant.name} created; its token (shown this once):\n`);
          printLines([created.token]);
        }
        return 0;
      },
    },
    list: {
      args: '[--tenant TENANT]',
      summary: 'the users of a tenant (default: yours) with their live tokens; other roles than ADMIN see themselves',
      options: { tenant: { type: 'string' } },
      async run(parsed, ctx) {
        expectPositionals(parsed, []);
        const users = await listUsers(ctx, stringOption(parsed, 'tenant'), true);
        if (!ctx.json) {
          printLines(table(['NAME', 'ROLE', 'TENANT', 'TOKENS', 'ID'], users.map((u) => [u.name, u.platformAdmin ? `${u.role} (platform)` : u.role, u.tenant.name, String(u.tokens.length), u.id])));
        }
        return 0;
      },
    },
    delete: {
      args: 'USER [--tenant TENANT]',
      summary: 'delete a user (its name or id) and revoke every token it has (ADMIN)',
      options: { tenant: { type: 'string' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['USER']);
        const user = await resolveUser(ctx, ref, stringOption(parsed, 'tenant'));
        const data = await ctx.call<{ deleteUser: { __typename: 'DeleteUserSuccess'; userId: string } | TypedErrorBody }>(
          `mutation($id: ID!) { deleteUser(input: { userId: $id }) { ${errorSelection()} ... on DeleteUserSuccess { userId } } }`,
          { id: user.id },
        );
        expectSuccess(data.deleteUser);
        if (!ctx.json) printLines([`user ${user.name} deleted; its tokens are revoked`]);
        return 0;
      },
    },
  },
};

export const run = (args: string[]): Promise<number> => runGroup(group, args);

const tokenGroup: CommandGroup = {
  name: 'token',
  summary: 'API tokens',
  subcommands: {
    create: {
      args: 'NAME [--user USER [--tenant TENANT]] [--expires-in-days N]',
      summary: 'a new token for you (or, as ADMIN, for USER), printed once alone on stdout',
      options: { user: { type: 'string' }, tenant: { type: 'string' }, 'expires-in-days': { type: 'string' } },
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const userRef = stringOption(parsed, 'user');
        const userId = userRef
          ? (await resolveUser(ctx, userRef, stringOption(parsed, 'tenant'))).id
          : (await ctxRequest<{ viewer: { id: string } }>(ctx, '{ viewer { id } }', {})).viewer.id;
        const expiresInDays = intOption(parsed, 'expires-in-days', 1, 3650) ?? null;
        const data = await ctx.call<{ createToken: { __typename: 'CreateTokenSuccess'; token: string; apiToken: TokenBody } | TypedErrorBody }>(
          `mutation($input: CreateTokenInput!) { createToken(input: $input) { ${errorSelection('ValidationError')} ... on CreateTokenSuccess { token apiToken { id name createdAt expiresAt lastUsedAt } } } }`,
          { input: { userId, name, expiresInDays } },
        );
        const created = expectSuccess(data.createToken);
        if (!ctx.json) {
          const expiry = created.apiToken.expiresAt ? `expires ${shortTime(created.apiToken.expiresAt)}` : 'does not expire';
          process.stderr.write(`token ${created.apiToken.name} (id ${created.apiToken.id}, ${expiry}), shown this once:\n`);
          printLines([created.token]);
        }
        return 0;
      },
    },
    list: {
      args: '[--user USER [--tenant TENANT]]',
      summary: 'your live tokens (or, as ADMIN, USER’s), without their values',
      options: { user: { type: 'string' }, tenant: { type: 'string' } },
      async run(parsed, ctx) {
        expectPositionals(parsed, []);
        const userRef = stringOption(parsed, 'user');
        const tokens = userRef
          ? (await resolveUser(ctx, userRef, stringOption(parsed, 'tenant'))).tokens
          : (await ctxRequest<{ viewer: { tokens: TokenBody[] } }>(ctx, `{ viewer { tokens { id name createdAt expiresAt lastUsedAt } } }`, {})).viewer.tokens;
        if (ctx.json) printLines([JSON.stringify(tokens, null, 2)]);
        else printLines(table(['NAME', 'CREATED', 'EXPIRES', 'LAST USED', 'ID'], tokens.map((x) => [x.name, shortTime(x.createdAt), shortTime(x.expiresAt), shortTime(x.lastUsedAt), x.id])));
        return 0;
      },
    },
    revoke: {
      args: 'TOKEN_ID',
      summary: 'revoke a token at once (yours, or as ADMIN any of your tenant’s); its open connections close',
      async run(parsed, ctx) {
        const [id] = expectPositionals(parsed, ['TOKEN_ID']);
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('TOKEN_ID is the id `aos token list` shows, not the token itself');
        const data = await ctx.call<{ revokeToken: { __typename: 'RevokeTokenSuccess'; tokenId: string } | TypedErrorBody }>(
          `mutation($id: ID!) { revokeToken(input: { tokenId: $id }) { ${errorSelection()} ... on RevokeTokenSuccess { tokenId } } }`,
          { id },
        );
        expectSuccess(data.revokeToken);
        if (!ctx.json) printLines([`token ${id} revoked`]);
        return 0;
      },
    },
  },
};

export const runToken = (args: string[]): Promise<number> => runGroup(tokenGroup, args);
