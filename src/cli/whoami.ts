// `aos whoami`: which API, which token source, and the user and tenant the token belongs to.

import { expectPositionals } from './args.js';
import { printLines } from './client.js';
import { runSingle } from './command.js';
import type { UserBody } from './user.js';

export const summary = 'the user the token belongs to, and where the API is';

export const run = (args: string[]): Promise<number> =>
  runSingle('whoami', {
    args: '',
    summary,
    async run(parsed, ctx) {
      expectPositionals(parsed, []);
      const { viewer } = await ctx.call<{ viewer: UserBody }>('{ viewer { id name role tenant { id name } } }');
      if (!ctx.json) printLines([`${viewer.name} (${viewer.role}) of tenant ${viewer.tenant.name} at ${ctx.connection.url}, token from ${ctx.connection.tokenSource}`]);
      return 0;
    },
  }, args);
