// aos command line: `aos <command> …`. Each command lives in its own module, loaded only when used,
// so a command with heavy dependencies does not slow the others down. To add one, add a line to
// COMMANDS and a module exporting `run(args): Promise<number>` (the exit code) and `summary`.

export interface CliCommand {
  /** One line for `aos help`. */
  summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  template: () => import('./template.js'),
  stack: () => import('./stack.js'),
  cluster: () => import('./cluster.js'),
  tenant: () => import('./tenant.js'),
  user: () => import('./user.js'),
  token: () => import('./token.js'),
  audit: () => import('./audit.js'),
  whoami: () => import('./whoami.js'),
  gql: () => import('./gql.js'),
};

async function printHelp(): Promise<void> {
  const lines = ['usage: aos <command> [arguments]   (aos --version: the version)', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${(await load()).summary}`);
  lines.push(
    '',
    'Run `aos <command> --help` for the arguments of a command. The API commands talk to AOS_URL',
    '(default http://127.0.0.1:4000/graphql) with the token in AOS_TOKEN, else .aos/admin-token;',
    'they exit 1 on a failure (typed errors on stderr) and print the raw JSON answer with --json.',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The package's version (package.json beside src/), read only when asked for. */
async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  return parsed !== null && typeof parsed === 'object' && 'version' in parsed && typeof parsed.version === 'string' ? parsed.version : 'unknown';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    process.stdout.write(`aos ${await version()}\n`);
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    await printHelp();
    return command === undefined ? 2 : 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (load === undefined) {
    process.stderr.write(`aos: unknown command "${command}"; run \`aos help\`\n`);
    return 2;
  }
  return (await load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
