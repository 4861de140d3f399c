// Named login profiles: `${XDG_CONFIG_HOME:-~/.config}/aos/config.json`, written by `aos login`,
// `{ currentProfile, profiles: { NAME: { url, token } } }`. The file holds API tokens, so it is
// written with mode 600 in a directory of mode 700, and a file that others can read is refused
// (as ssh refuses such a private key) instead of used.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliFailure } from './failure.js';

interface Profile {
  url: string;
  token: string;
}

export interface CliConfig {
  currentProfile: string | null;
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';

/** A profile name: what a shell and a file name take without quoting. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'aos', 'config.json');
}

function isProfile(value: unknown): value is Profile {
  return value !== null && typeof value === 'object' && typeof (value as Profile).url === 'string' && typeof (value as Profile).token === 'string';
}

/** The config file's profiles; an empty config when there is no file. */
export function readConfig(file: string = configPath()): CliConfig {
  if (!existsSync(file)) return { currentProfile: null, profiles: {} };
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new CliFailure(`${file} is readable or writable by others (mode ${mode.toString(8)}): it holds API tokens, so it is not used`, [`chmod 600 ${file}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliFailure(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, ['fix it, or delete it and run `aos login` again']);
  }
  const body = parsed !== null && typeof parsed === 'object' ? (parsed as { currentProfile?: unknown; profiles?: unknown }) : {};
  const profiles: Record<string, Profile> = {};
  if (body.profiles !== null && typeof body.profiles === 'object') {
    for (const [name, profile] of Object.entries(body.profiles)) if (isProfile(profile)) profiles[name] = { url: profile.url, token: profile.token };
  }
  const current = typeof body.currentProfile === 'string' && body.currentProfile in profiles ? body.currentProfile : null;
  return { currentProfile: current, profiles };
}

/** Writes the whole config: a temporary file of mode 600 renamed over the old one, in a directory of mode 700. */
export function writeConfig(config: CliConfig, file: string = configPath()): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** The last 4 characters of a token behind asterisks: enough to tell two apart, too little to use. */
export function maskToken(token: string): string {
  return token.length <= 8 ? '****' : `****${token.slice(-4)}`;
}
