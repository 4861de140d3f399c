// `aos whoami`: which API, which token source, and the user and tenant the token belongs to.

import type { Command } from 'commander';
import { ViewerDocument } from '../sdk/generated/graphql.js';
import { action, addCommonOptions } from './command.js';

export function register(program: Command): void {
  addCommonOptions(program.command('whoami').description('the user the token belongs to, and where the API is')).action(
    action(async (ctx) => {
      const { viewer } = await ctx.api.request(ViewerDocument, {});
      const { url, tokenSource } = ctx.connection;
      await ctx.emit({ ...viewer, url, tokenSource }, () => [`${viewer.name} (${viewer.role}) of tenant ${viewer.tenant.name} at ${url}, token from ${tokenSource}`]);
      return 0;
    }),
  );
}
