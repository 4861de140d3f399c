// `aos user …` and `aos token …`: users of a tenant and their API tokens. A token is printed once,
// alone on stdout (so `export AOS_TOKEN=$(aos user create …)` works); the API keeps only its
// digest, so it cannot be shown again.

import type { Command } from 'commander';
import { CreateTokenDocument, CreateUserDocument, DeleteUserDocument, RevokeTokenDocument, UsersDocument, ViewerDocument, type Role, type UsersQuery } from '../sdk/generated/graphql.js';
import { intOption, stringOption } from './args.js';
import { expectSuccess, notFound, type Api } from './client.js';
import { action, subcommand } from './command.js';
import { UsageError } from './failure.js';
import { emptyList, printLines } from './output.js';
import { shortTime, table } from './format.js';
import { resolveTenant } from './tenant.js';

const ROLES: readonly Role[] = ['ADMIN', 'OPERATOR', 'VIEWER'];

type ListedUser = UsersQuery['users'][number];

/** The users of `--tenant` (default: the caller's own), as the API lets the caller see them. */
async function listUsers(api: Api, tenantRef: string | undefined): Promise<ListedUser[]> {
  const tenantId = tenantRef ? (await resolveTenant(api, tenantRef)).id : null;
  return (await api.request(UsersDocument, { tenantId })).users;
}

/** A user named (or with the id) `ref` in `--tenant` (default: the caller's own). */
async function resolveUser(api: Api, ref: string, tenantRef: string | undefined): Promise<ListedUser> {
  const users = await listUsers(api, tenantRef);
  const found = users.find((user) => user.name === ref || user.id.toLowerCase() === ref.toLowerCase());
  if (!found) throw notFound(`user "${ref}" not found`, tenantRef ? [] : ['add --tenant TENANT for a user of another tenant']);
  return found;
}

export function register(program: Command): void {
  const user = program.command('user').description('users (ADMIN): create (printing its API token once), list, delete');

  subcommand(user, 'create', 'create a user of TENANT (its name or id; ADMIN only) and print its API token, once')
    .argument('<NAME>', 'the user name')
    .option('--tenant <TENANT>', 'the tenant (required)')
    .option('--role <ROLE>', 'ADMIN, OPERATOR or VIEWER (required)')
    .addHelpText('after', '\nThe token alone goes to stdout, the rest to stderr:\n  export AOS_TOKEN=$(aos user create --tenant acme ops --role OPERATOR)')
    .action(
      action(async (ctx, [name], options) => {
        const tenantRef = stringOption(options, 'tenant');
        if (!tenantRef) throw new UsageError('missing --tenant TENANT');
        const role = ROLES.find((known) => known === stringOption(options, 'role')?.toUpperCase());
        if (!role) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const tenant = await resolveTenant(ctx.api, tenantRef);
        const data = await ctx.api.request(CreateUserDocument, { input: { tenantId: tenant.id, name, role } });
        const created = expectSuccess(data.createUser, 'CreateUserSuccess');
        if (ctx.readable) process.stderr.write(`user ${created.user.name} (${created.user.role}) of tenant ${tenant.name} created; its token (shown this once):\n`);
        await ctx.emit({ token: created.token, user: { ...created.user, tenant } }, () => [created.token]);
        return 0;
      }),
    );

  subcommand(user, 'list', 'the users of a tenant (default: yours) with their live tokens; other roles than ADMIN see themselves')
    .option('--tenant <TENANT>', 'name or id')
    .action(
      action(async (ctx, _args, options) => {
        const users = await listUsers(ctx.api, stringOption(options, 'tenant'));
        await ctx.emit(users, () =>
          users.length ? table(['NAME', 'ROLE', 'TENANT', 'TOKENS', 'ID'], users.map((u) => [u.name, u.platformAdmin ? `${u.role} (platform)` : u.role, u.tenant.name, String(u.tokens.length), u.id])) : emptyList('users'),
        );
        return 0;
      }),
    );

  subcommand(user, 'delete', 'delete a user (its name or id) and revoke every token it has (ADMIN)')
    .argument('<USER>', 'name or id')
    .option('--tenant <TENANT>', 'the user\'s tenant (default: yours)')
    .action(
      action(async (ctx, [ref], options) => {
        const found = await resolveUser(ctx.api, ref, stringOption(options, 'tenant'));
        const data = await ctx.api.request(DeleteUserDocument, { input: { userId: found.id } });
        const { userId } = expectSuccess(data.deleteUser, 'DeleteUserSuccess');
        await ctx.emit({ userId, name: found.name }, () => [`user ${found.name} deleted; its tokens are revoked`]);
        return 0;
      }),
    );

  const token = program.command('token').description('API tokens: create (printed once), list, revoke');

  subcommand(token, 'create', 'a new token for you (or, as ADMIN, for USER), printed once alone on stdout')
    .argument('<NAME>', 'a name for the token (where it is used)')
    .option('--user <USER>', 'the user (ADMIN; name or id)')
    .option('--tenant <TENANT>', "the user's tenant")
    .option('--expires-in-days <N>', 'the token expires after N days (1-3650; default never)')
    .action(
      action(async (ctx, [name], options) => {
        const userRef = stringOption(options, 'user');
        const userId = userRef ? (await resolveUser(ctx.api, userRef, stringOption(options, 'tenant'))).id : (await ctx.api.request(ViewerDocument, {})).viewer.id;
        const expiresInDays = intOption(options, 'expiresInDays', 1, 3650) ?? null;
        const data = await ctx.api.request(CreateTokenDocument, { input: { userId, name, expiresInDays } });
        const created = expectSuccess(data.createToken, 'CreateTokenSuccess');
        if (ctx.readable) {
          const expiry = created.apiToken.expiresAt ? `expires ${shortTime(created.apiToken.expiresAt)}` : 'does not expire';
          process.stderr.write(`token ${created.apiToken.name} (id ${created.apiToken.id}, ${expiry}), shown this once:\n`);
          printLines([created.token]);
        } else await ctx.emit({ token: created.token, apiToken: created.apiToken }, () => []);
        return 0;
      }),
    );

  subcommand(token, 'list', 'your live tokens (or, as ADMIN, USER’s), without their values')
    .option('--user <USER>', 'the user (ADMIN; name or id)')
    .option('--tenant <TENANT>', "the user's tenant")
    .action(
      action(async (ctx, _args, options) => {
        const userRef = stringOption(options, 'user');
        const tokens = userRef ? (await resolveUser(ctx.api, userRef, stringOption(options, 'tenant'))).tokens : (await ctx.api.request(ViewerDocument, {})).viewer.tokens;
        await ctx.emit(tokens, () =>
          tokens.length ? table(['NAME', 'CREATED', 'EXPIRES', 'LAST USED', 'ID'], tokens.map((x) => [x.name, shortTime(x.createdAt), shortTime(x.expiresAt), shortTime(x.lastUsedAt), x.id])) : emptyList('tokens'),
        );
        return 0;
      }),
    );

  subcommand(token, 'revoke', 'revoke a token at once (yours, or as ADMIN any of your tenant’s); its open connections close')
    .argument('<TOKEN_ID>', 'the id `aos token list` shows')
    .action(
      action(async (ctx, [id]) => {
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('TOKEN_ID is the id `aos token list` shows, not the token itself');
        const data = await ctx.api.request(RevokeTokenDocument, { input: { tokenId: id } });
        const { tokenId } = expectSuccess(data.revokeToken, 'RevokeTokenSuccess');
        await ctx.emit({ tokenId }, () => [`token ${id} revoked`]);
        return 0;
      }),
    );
}
