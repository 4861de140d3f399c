// `aos tenant …`: tenants, their quotas and their state (ADMIN only, except `quota` without a tenant).

import { expectPositionals, intOption, UsageError } from './args.js';
import { CliFailure, errorSelection, expectSuccess, printLines, request, type Connection, type TypedErrorBody } from './client.js';
import { runGroup, type CommandContext, type CommandGroup } from './command.js';
import { table } from './format.js';

export const summary = 'tenants (platform administrator): create, list, freeze/unfreeze, quota';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface TenantBody {
  id: string;
  name: string;
  state: string;
}

/** A tenant given by id or by name (the platform administrator sees every tenant; others their own). */
export async function resolveTenant(connection: Connection, ref: string): Promise<TenantBody> {
  const { tenants } = await request<{ tenants: TenantBody[] }>(connection, '{ tenants { id name state } }');
  const found = tenants.find((tenant) => tenant.name === ref || (UUID.test(ref) && tenant.id.toLowerCase() === ref.toLowerCase()));
  if (!found) throw new CliFailure(`NotFound: tenant "${ref}" not found`, tenants.length <= 1 ? ['only the platform administrator sees other tenants'] : []);
  return found;
}

const group: CommandGroup = {
  name: 'tenant',
  summary: 'Tenants',
  subcommands: {
    create: {
      args: 'NAME',
      summary: 'create a tenant (quota 100 templates, 200 stacks); prints its id',
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const data = await ctx.call<{ createTenant: { __typename: 'CreateTenantSuccess'; tenant: TenantBody } | TypedErrorBody }>(
          `mutation($name: String!) { createTenant(input: { name: $name }) { ${errorSelection('ValidationError')} ... on CreateTenantSuccess { tenant { id name state } } } }`,
          { name },
        );
        const { tenant } = expectSuccess(data.createTenant);
        if (!ctx.json) printLines([`tenant ${tenant.name} created (id ${tenant.id})`]);
        return 0;
      },
    },
    list: {
      args: '',
      summary: 'every tenant (an ADMIN sees all, others their own)',
      async run(parsed, ctx) {
        expectPositionals(parsed, []);
        const { tenants } = await ctx.call<{ tenants: TenantBody[] }>('{ tenants { id name state } }');
        if (!ctx.json) printLines(table(['NAME', 'STATE', 'ID'], tenants.map((t) => [t.name, t.state, t.id])));
        return 0;
      },
    },
    freeze: {
      args: 'TENANT',
      summary: 'freeze a tenant: it can read but not change anything',
      run: (parsed, ctx) => setState(parsed.positionals, ctx, 'FROZEN'),
    },
    unfreeze: {
      args: 'TENANT',
      summary: 'make a frozen tenant ACTIVE again',
      run: (parsed, ctx) => setState(parsed.positionals, ctx, 'ACTIVE'),
    },
    quota: {
      args: '[TENANT] [--templates N] [--stacks N]',
      summary: "show the caller's quota and usage; with TENANT and limits, set that tenant's quota (ADMIN)",
      options: { templates: { type: 'string' }, stacks: { type: 'string' } },
      async run(parsed, ctx) {
        const templates = intOption(parsed, 'templates', 0, 1_000_000);
        const stacks = intOption(parsed, 'stacks', 0, 1_000_000);
        type QuotaBody = { templates: number; templatesUsed: number; stacks: number; stacksUsed: number };
        const show = (quota: QuotaBody) => {
          if (!ctx.json) printLines([`templates ${quota.templatesUsed}/${quota.templates}`, `stacks    ${quota.stacksUsed}/${quota.stacks}`]);
        };
        if (parsed.positionals.length === 0) {
          if (templates !== undefined || stacks !== undefined) throw new UsageError('name the TENANT whose quota to set');
          show((await ctx.call<{ quota: QuotaBody }>('{ quota { templates templatesUsed stacks stacksUsed } }')).quota);
          return 0;
        }
        const [ref] = expectPositionals(parsed, ['TENANT']);
        if (templates === undefined && stacks === undefined) throw new UsageError('give --templates N and/or --stacks N');
        const tenant = await resolveTenant(ctx.connection, ref);
        const data = await ctx.call<{ setQuota: { __typename: 'SetQuotaSuccess'; quota: QuotaBody } | TypedErrorBody }>(
          `mutation($input: SetQuotaInput!) { setQuota(input: $input) { ${errorSelection('ValidationError')} ... on SetQuotaSuccess { quota { templates templatesUsed stacks stacksUsed } } } }`,
          { input: { tenantId: tenant.id, templates, stacks } },
        );
        show(expectSuccess(data.setQuota).quota);
        return 0;
      },
    },
  },
};

async function setState(positionals: string[], ctx: CommandContext, state: 'ACTIVE' | 'FROZEN'): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument "${positionals[1]}"` : 'missing TENANT');
  const tenant = await resolveTenant(ctx.connection, positionals[0]);
  const data = await ctx.call<{ setTenantState: { __typename: 'SetTenantStateSuccess'; tenant: TenantBody } | TypedErrorBody }>(
    `mutation($input: SetTenantStateInput!) { setTenantState(input: $input) { ${errorSelection()} ... on SetTenantStateSuccess { tenant { id name state } } } }`,
    { input: { tenantId: tenant.id, state } },
  );
  const updated = expectSuccess(data.setTenantState).tenant;
  if (!ctx.json) printLines([`tenant ${updated.name} is ${updated.state}`]);
  return 0;
}

export const run = (args: string[]): Promise<number> => runGroup(group, args);
