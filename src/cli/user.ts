// `aos user create`: a user of a tenant with its API token. The token is
// printed once, alone on stdout (so `export AOS_TOKEN=$(aos user create …)` works); the API keeps
// only its digest, so it cannot be shown again.

import { expectPositionals, stringOption, UsageError } from './args.js';
import { errorSelection, expectSuccess, printLines, type TypedErrorBody } from './client.js';
import { runGroup, type CommandGroup } from './command.js';
import { resolveTenant } from './tenant.js';

export const summary = 'users (ADMIN): create one, printing its API token once';

const ROLES = ['ADMIN', 'OPERATOR', 'VIEWER'] as const;
type Role = (typeof ROLES)[number];

export interface UserBody {
  id: string;
  name: string;
  role: Role;
  tenant: { id: string; name: string };
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
  },
};

export const run = (args: string[]): Promise<number> => runGroup(group, args);
