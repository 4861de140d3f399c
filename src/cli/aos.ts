// aos command line, on commander: `aos <command> [subcommand] …` with generated help, `--version`,
// `-o table|json|yaml` on every command, and exit codes 0 (done), 1 (failed), 2 (wrong usage).
// Modules register their commands; what is heavy (the SDK and graphql-ws, ws, js-yaml, the
// template language, the completion library) is imported only by the commands that use it, so
// `aos --help` stays fast. bin/aos.mjs runs this file as bundled JavaScript (dist/cli/aos.js).

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { register as registerAudit } from './audit.js';
import { register as registerCluster } from './cluster.js';
import { addCommonOptions, commandExitCode } from './command.js';
import { register as registerGql } from './gql.js';
import { register as registerLogin } from './login.js';
import { register as registerStack } from './stack.js';
import { register as registerTemplate } from './template.js';
import { register as registerTenant } from './tenant.js';
import { register as registerUser } from './user.js';
import { register as registerWhoami } from './whoami.js';

/** The package's version: package.json two levels up, from src/cli/ and from dist/cli/ alike. */
function version(): string {
  const parsed: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return parsed !== null && typeof parsed === 'object' && 'version' in parsed && typeof parsed.version === 'string' ? parsed.version : 'unknown';
}

const HELP_AFTER = `
The API is at AOS_URL (default http://127.0.0.1:4000/graphql) with the token in AOS_TOKEN; else
the login profile (--profile, AOS_PROFILE, else the current one: see \`aos login\`); else the
admin token in .aos/admin-token. Every command takes -o table|json|yaml (json and yaml print
plain objects, lists as arrays). Exit codes: 0 done, 1 failed, 2 wrong usage.
Shell completion: source <(aos completion bash)   (or zsh)`;

/** Shells whose completion scripts `aos completion` prints (the library's own list). */
const COMPLETION_SHELLS = ['bash', 'zsh', 'fish', 'powershell'];

function buildProgram(): Command {
  const program = new Command('aos');
  // Settings first: subcommands copy them when they are made. Usage errors throw (exit code 2
  // below) instead of exiting; options are the command's own, written after it or before it
  // (`aos -o json stack list` and `aos stack list -o json`), so `--version` of a subcommand
  // (`aos template version T F --version 2`) is never taken for aos's own.
  program
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .version(`aos ${version()}`, '-V, --version', 'print the version')
    .description('AOS, the Application Orchestration Service: templates, stacks and their whole life, from the command line')
    .addHelpText('after', HELP_AFTER);
  addCommonOptions(program);
  for (const register of [registerTemplate, registerStack, registerCluster, registerTenant, registerUser, registerWhoami, registerAudit, registerGql, registerLogin]) register(program);
  return program;
}

/**
 * `aos completion SHELL` prints a script; the script calls `aos complete -- WORDS…` at each TAB.
 * Both come from @bomb.sh/tab, which reads commander's command tree; it is loaded only for them.
 */
async function addCompletion(program: Command, argv: string[]): Promise<void> {
  if (argv[0] === 'completion' || argv[0] === 'complete') {
    const { default: tab } = await import('@bomb.sh/tab/commander');
    tab(program, { completionCommandName: 'completion' });
    return;
  }
  // For the help only: a real run of `completion` goes through the branch above.
  program.command('completion').description(`print a shell completion script (${COMPLETION_SHELLS.join(', ')}): source <(aos completion bash)`).argument('<shell>');
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  await addCompletion(program, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Help and --version end the same way (exit code 0); every other commander error is wrong usage.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return commandExitCode();
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
