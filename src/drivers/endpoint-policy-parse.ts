// AOS_CLUSTER_ENDPOINT_POLICY as the process reads it at start-up: the policy's shape, its rules
// (addresses, ranges, host names, wildcards, ports) and the platform's own services it protects.
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { familyOf, normalizeAddress, parseHost } from './endpoint-addresses.js';

/** A policy that cannot be used: the process must not start with it. */
class EndpointPolicyError extends Error {
  constructor(message: string) {
    super(`AOS_CLUSTER_ENDPOINT_POLICY: ${message}`);
    this.name = 'EndpointPolicyError';
  }
}

export interface PortRange {
  min: number;
  max: number;
}

interface AddressRule {
  kind: 'address';
  text: string;
  list: BlockList;
  ports: PortRange | null;
}

interface HostRule {
  kind: 'host';
  text: string;
  /** Lower case, without a trailing dot; for `*.example.com` the suffix `.example.com`. */
  name: string;
  wildcard: boolean;
  ports: PortRange | null;
}

export type Rule = AddressRule | HostRule;

interface HostPort {
  host: string;
  port: number;
}

/** What the platform itself runs on: never a tenant's endpoint, whatever `allow` says. */
export interface PlatformServices {
  endpoints: HostPort[];
  sockets: string[];
}

export interface EndpointPolicy {
  readonly allow: readonly Rule[];
  readonly deny: readonly Rule[];
  readonly unixSockets: readonly string[];
  /** Whether addresses outside every special range are allowed without an `allow` entry. */
  readonly publicAddresses: boolean;
  readonly platform: PlatformServices;
  /** Bound of one name resolution (registration and connection alike). */
  readonly lookupTimeoutMs: number;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 2000;
/** More entries than any real policy needs; a bound on what start-up parses. */
const MAX_RULES = 1000;

function parsePorts(text: string | undefined, entry: string): PortRange | null {
  if (text === undefined) return null;
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const min = match ? Number(match[1]) : NaN;
  const max = match ? Number(match[2] ?? match[1]) : NaN;
  if (!match || min < 1 || max > 65535 || min > max) throw new EndpointPolicyError(`"${entry}": "${text}" is not a port or a port range like 2375-2376`);
  return { min, max };
}

function addressRule(text: string, address: string, prefixText: string | undefined, ports: PortRange | null): AddressRule {
  const normalized = normalizeAddress(address);
  if (!normalized) throw new EndpointPolicyError(`"${text}" is not an address, a CIDR range or a host name`);
  const family = familyOf(normalized);
  const bits = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new EndpointPolicyError(`"${text}": /${prefixText} is not a prefix length of an ${family} range (0..${bits})`);
  const list = new BlockList();
  list.addSubnet(normalized, prefix, family);
  return { kind: 'address', text, list, ports };
}

/** `CIDR`, `IP`, `[IPv6]`, `[IPv6/len]`, `host`, `*.domain`, each optionally followed by `:PORT` or `:PORT-PORT`. */
function parseRule(raw: unknown): Rule {
  if (typeof raw !== 'string' || !raw.trim()) throw new EndpointPolicyError(`every entry must be a non-empty string, got ${JSON.stringify(raw)}`);
  const text = raw.trim();
  const bracketed = /^\[([^\]/]+)(?:\/(\d+))?\](?::([\d-]+))?$/.exec(text);
  if (bracketed) return addressRule(text, bracketed[1], bracketed[2], parsePorts(bracketed[3], text));
  // A bare IPv6 address or range has several colons and no port.
  if ((text.match(/:/g) ?? []).length > 1) {
    const [address, prefix, extra] = text.split('/');
    if (extra !== undefined) throw new EndpointPolicyError(`"${text}" is not an address or a CIDR range`);
    return addressRule(text, address, prefix, null);
  }
  const [target, portText] = text.split(':');
  const [address, prefix] = target.split('/');
  const ports = parsePorts(portText, text);
  if (isIP(address) === 4) return addressRule(text, address, prefix, ports);
  if (prefix !== undefined) throw new EndpointPolicyError(`"${text}": a prefix length needs an IP address`);
  const wildcard = address.startsWith('*.');
  const host = parseHost(wildcard ? address.slice(2) : address);
  if (!host || host.kind !== 'name') throw new EndpointPolicyError(`"${text}" is not an address, a CIDR range or a host name`);
  return { kind: 'host', text, name: wildcard ? `.${host.name}` : host.name, wildcard, ports };
}

function stringList(value: unknown, key: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new EndpointPolicyError(`"${key}" must be a list of strings`);
  if (value.length > MAX_RULES) throw new EndpointPolicyError(`"${key}" has more than ${MAX_RULES} entries`);
  return value;
}

function absoluteSocketPath(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.includes('\0')) throw new EndpointPolicyError(`unix socket paths must be absolute, got ${JSON.stringify(raw)}`);
  return path.resolve(raw);
}

/**
 * Parses AOS_CLUSTER_ENDPOINT_POLICY. Throws EndpointPolicyError naming the entry at fault: a
 * process must not start with a policy it cannot apply.
 */
export function parseEndpointPolicy(raw: string | undefined, platform: PlatformServices, lookupTimeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS): EndpointPolicy {
  const text = raw?.trim() ?? '';
  let doc: Record<string, unknown> = {};
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new EndpointPolicyError(`not valid JSON (${(error as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EndpointPolicyError('must be a JSON object');
    doc = parsed as Record<string, unknown>;
    const unknown = Object.keys(doc).filter((key) => !['allow', 'deny', 'unixSockets', 'publicAddresses'].includes(key));
    if (unknown.length > 0) throw new EndpointPolicyError(`unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')} (known: allow, deny, unixSockets, publicAddresses)`);
  } else if (text) {
    doc = { allow: text.split(',').map((entry) => entry.trim()).filter(Boolean) };
  }
  if (doc.publicAddresses !== undefined && typeof doc.publicAddresses !== 'boolean') throw new EndpointPolicyError('"publicAddresses" must be true or false');
  return {
    allow: stringList(doc.allow, 'allow').map(parseRule),
    deny: stringList(doc.deny, 'deny').map(parseRule),
    unixSockets: stringList(doc.unixSockets, 'unixSockets').map(absoluteSocketPath),
    publicAddresses: doc.publicAddresses !== false,
    platform,
    lookupTimeoutMs,
  };
}

/** `unix:///path` or `tcp://host:port` of a Docker engine, as far as the platform's own engines go. */
function addEngine(services: PlatformServices, endpoint: string | undefined): void {
  const value = endpoint?.trim();
  if (!value) return;
  if (value.startsWith('unix://')) {
    services.sockets.push(path.resolve(value.slice('unix://'.length)));
    return;
  }
  const match = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^/:]+):(\d{1,5})/.exec(value);
  if (match) services.endpoints.push({ host: match[1], port: Number(match[2]) });
}

/** host:port of a `host:port` text (Temporal's address), or null. */
function hostPortOf(text: string | undefined, fallbackPort: number): HostPort | null {
  if (!text) return null;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(text.trim());
  return match ? { host: match[1], port: Number(match[2] ?? fallbackPort) } : null;
}

/**
 * The platform's own services: its database, Temporal, its API and its Docker engines (the
 * engine `npm run up` registered, DOCKER_HOST, and Docker's default sockets).
 */
export function platformServices(options: {
  databaseUrl: string;
  temporalAddress: string;
  apiHost: string;
  apiPort: number;
  env?: NodeJS.ProcessEnv;
}): PlatformServices {
  const env = options.env ?? process.env;
  const services: PlatformServices = { endpoints: [], sockets: ['/var/run/docker.sock', '/run/docker.sock'] };
  try {
    const db = new URL(options.databaseUrl);
    services.endpoints.push({ host: db.hostname || '127.0.0.1', port: Number(db.port || 5432) });
  } catch {
    // An unparsable DATABASE_URL fails the start on its own.
  }
  const temporal = hostPortOf(options.temporalAddress, 7233);
  if (temporal) services.endpoints.push(temporal);
  services.endpoints.push({ host: options.apiHost, port: options.apiPort });
  for (const engine of [env.AOS_LOCAL_DOCKER_HOST, env.AOS_DOCKER_HOST, env.DOCKER_HOST]) addEngine(services, engine);
  return services;
}
