// `aos login`, `aos logout`, `aos profile list|use`: named profiles (an API URL and a token) in
// the config file (see profiles.ts), so that a user with several AOS installations or tenants
// switches with `--profile NAME` or `aos profile use NAME` instead of exporting AOS_URL/AOS_TOKEN.

import type { Command } from 'commander';
import { ViewerDocument } from '../sdk/generated/graphql.js';
import { flag, stringOption } from './args.js';
import { Api, DEFAULT_URL } from './client.js';
import { action, addCommonOptions, subcommand } from './command.js';
import { CliFailure, UsageError } from './failure.js';
import { table } from './format.js';
import { emptyList } from './output.js';
import { configPath, DEFAULT_PROFILE, maskToken, PROFILE_NAME, readConfig, writeConfig } from './profiles.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function profileName(options: Record<string, unknown>): string {
  const name = stringOption(options, 'profile') ?? DEFAULT_PROFILE;
  if (!PROFILE_NAME.test(name)) throw new UsageError(`a profile name is letters, digits, ".", "_" and "-" (at most 64), got "${name}"`);
  return name;
}

export function register(program: Command): void {
  addCommonOptions(program.command('login').description('check an API token and save it, with the API URL, as a named profile (the current one from then on)'))
    .option('--url <URL>', `the API's GraphQL endpoint (default: AOS_URL, else ${DEFAULT_URL})`)
    .option('--token <TOKEN>', 'the API token (visible in the shell history: prefer --token-stdin)')
    .option('--token-stdin', 'read the API token from stdin')
    .addHelpText(
      'after',
      `\nThe profile (--profile NAME, default "${DEFAULT_PROFILE}") is written to \${XDG_CONFIG_HOME:-~/.config}/aos/config.json\n(mode 600). A token the API refuses is not saved.\n\n  aos user create --tenant acme ops --role OPERATOR | aos login --profile acme --url https://aos.example/graphql --token-stdin`,
    )
    .action(
      action(async (ctx, _args, options) => {
        const name = profileName(options);
        const given = stringOption(options, 'token');
        if (given !== undefined && flag(options, 'tokenStdin')) throw new UsageError('give either --token or --token-stdin');
        if (given === undefined && !flag(options, 'tokenStdin')) throw new UsageError('missing --token TOKEN or --token-stdin');
        const token = (given ?? (await readStdin())).trim();
        if (!token) throw new UsageError('the token is empty');
        const url = stringOption(options, 'url') ?? (process.env.AOS_URL || DEFAULT_URL);
        if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
        // Checked before anything is written: a refused token leaves the config as it was.
        const { viewer } = await new Api({ url, token, tokenSource: 'the token given to aos login' }).request(ViewerDocument, {});
        const file = configPath();
        const config = readConfig(file);
        config.profiles[name] = { url, token };
        config.currentProfile = name;
        writeConfig(config, file);
        await ctx.emit({ profile: name, url, user: viewer.name, role: viewer.role, tenant: viewer.tenant.name, file }, () => [
          `logged in to ${url} as ${viewer.name} (${viewer.role}) of tenant ${viewer.tenant.name}; profile ${name} saved in ${file} and current`,
        ]);
        return 0;
      }),
    );

  addCommonOptions(program.command('logout').description('forget a profile and its token (default: the current profile)')).action(
    action(async (ctx, _args, options) => {
      const file = configPath();
      const config = readConfig(file);
      const name = stringOption(options, 'profile') ?? config.currentProfile;
      if (!name || !config.profiles[name]) throw new CliFailure(name ? `no login profile "${name}" in ${file}` : `no current login profile in ${file}`);
      delete config.profiles[name];
      if (config.currentProfile === name) config.currentProfile = null;
      writeConfig(config, file);
      await ctx.emit({ profile: name, removed: true }, () => [`profile ${name} removed from ${file}`]);
      return 0;
    }),
  );

  const profile = program.command('profile').description('login profiles: list, use');

  subcommand(profile, 'list', 'the saved profiles (tokens masked); * marks the current one').action(
    action(async (ctx) => {
      const config = readConfig();
      const rows = Object.entries(config.profiles).map(([name, p]) => ({ name, url: p.url, token: maskToken(p.token), current: name === config.currentProfile }));
      await ctx.emit(rows, () => (rows.length ? table(['', 'NAME', 'URL', 'TOKEN'], rows.map((r) => [r.current ? '*' : '', r.name, r.url, r.token])) : emptyList('profiles', 'log in with `aos login --url URL --token-stdin`')));
      return 0;
    }),
  );

  subcommand(profile, 'use', 'make a profile the current one')
    .argument('<NAME>', 'the profile')
    .action(
      action(async (ctx, [name]) => {
        const file = configPath();
        const config = readConfig(file);
        if (!config.profiles[name]) throw new CliFailure(`no login profile "${name}" in ${file}`, [`profiles: ${Object.keys(config.profiles).join(', ') || 'none'}`]);
        config.currentProfile = name;
        writeConfig(config, file);
        await ctx.emit({ currentProfile: name }, () => [`profile ${name} is current (${config.profiles[name].url})`]);
        return 0;
      }),
    );
}
