// Which cluster endpoints a tenant may make the platform connect to (AOS_CLUSTER_ENDPOINT_POLICY).
//
// A tenant's registration names a host the API and the workers will connect to: left unchecked,
// that is a way into the platform's own network (its database, its Docker engines, cloud metadata
// services, anything on loopback or a private range). The policy is checked at registration and
// again at every connection (health checks and driver connections resolve the name through
// `guardedLookup`, so a name that later resolves elsewhere — DNS rebinding — is refused too).
// Registrations by the platform administrator are trusted and pass no policy (`null` below).
//
// Format (documented in the README's "Security model"): JSON
//   {"allow": ["10.20.0.0/16", "k8s.example.com:6443", "[fd00:1::/64]:2376", "*.engines.example.com"],
//    "deny": ["203.0.113.0/24"], "unixSockets": ["/run/tenant-engines/acme.sock"], "publicAddresses": true}
// or a plain comma-separated allow list. Unset: no allow entries, public addresses allowed.
import { realpathSync } from 'node:fs';
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';

/** A policy that cannot be used: the process must not start with it. */
export class EndpointPolicyError extends Error {
  constructor(message: string) {
    super(`AOS_CLUSTER_ENDPOINT_POLICY: ${message}`);
    this.name = 'EndpointPolicyError';
  }
}

/** A connection the policy refuses. Its message is safe to show the tenant (no resolved addresses). */
export class EndpointRefused extends Error {
  readonly code = 'ENDPOINT_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EndpointRefused';
  }
}

interface PortRange {
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

type Rule = AddressRule | HostRule;

export interface HostPort {
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

export const DEFAULT_LOOKUP_TIMEOUT_MS = 2000;
/** Name resolutions for tenant endpoints in flight at once: getaddrinfo holds a libuv thread each. */
const MAX_CONCURRENT_LOOKUPS = 2;
/** More entries than any real policy needs; a bound on what start-up parses. */
const MAX_RULES = 1000;
/** Resolved platform host names are kept this long. */
const PLATFORM_CACHE_MS = 60_000;

// --- address classes ------------------------------------------------------------------------------

interface SpecialRange {
  category: string;
  /** No `allow` entry opens it: connecting there is never a tenant's business. */
  hard: boolean;
  list: BlockList;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const SPECIAL_RANGES: readonly SpecialRange[] = [
  // 0.0.0.0 and :: reach the connecting machine itself.
  { category: 'unspecified', hard: true, list: blockListOf(['0.0.0.0/8', '::/128']) },
  { category: 'cloud metadata', hard: true, list: blockListOf(['169.254.169.254/32', '100.100.100.200/32', 'fd00:ec2::254/128']) },
  { category: 'loopback', hard: false, list: blockListOf(['127.0.0.0/8', '::1/128']) },
  { category: 'link-local', hard: false, list: blockListOf(['169.254.0.0/16', 'fe80::/10']) },
  { category: 'private', hard: false, list: blockListOf(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']) },
  { category: 'shared (carrier-grade NAT)', hard: false, list: blockListOf(['100.64.0.0/10']) },
  { category: 'multicast', hard: false, list: blockListOf(['224.0.0.0/4', 'ff00::/8']) },
  {
    category: 'reserved',
    hard: false,
    // ::/96 holds the deprecated IPv4-compatible forms (::127.0.0.1); ::1 matched loopback above.
    list: blockListOf(['::/96', '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '64:ff9b::/96', '100::/64', '2001:db8::/32']),
  },
];

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

function specialRangeOf(address: string): SpecialRange | undefined {
  return SPECIAL_RANGES.find((range) => range.list.check(address, familyOf(address)));
}

/** The eight 16-bit groups of an IPv6 address (zone index dropped), or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  const bare = address.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return null;
  let text = bare;
  // A trailing dotted IPv4 part becomes two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === null ? [] : parse(tail);
  const zeros = tail === null ? 0 : 8 - front.length - back.length;
  return [...front, ...new Array<number>(zeros).fill(0), ...back];
}

/**
 * One spelling per address: IPv4-mapped IPv6 (`::ffff:127.0.0.1`) becomes the IPv4 address, IPv6
 * is lower case without a zone. Returns null for anything that is not an IP address.
 */
export function normalizeAddress(address: string): string | null {
  if (isIP(address) === 4) return address;
  const groups = ipv6Groups(address);
  if (!groups) return null;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  return new URL(`http://[${address.replace(/%.*$/, '')}]`).hostname.slice(1, -1);
}

/**
 * A host as written in an endpoint: an IP address (any spelling the resolver would accept —
 * `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, `[::ffff:127.0.0.1]` — normalised) or a
 * host name (lower case, no trailing dot). Null for text that is neither.
 */
export function parseHost(raw: string): { kind: 'ip'; address: string } | { kind: 'name'; name: string } | null {
  const host = raw.trim().replace(/^\[(.*)\]$/, '$1');
  if (!host || host.length > 253) return null;
  const literal = normalizeAddress(host);
  if (literal) return { kind: 'ip', address: literal };
  if (host.includes(':')) return null;
  // The WHATWG host parser reads the numeric IPv4 forms exactly as inet_aton would.
  let parsed: string;
  try {
    parsed = new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
  if (isIP(parsed) === 4) return { kind: 'ip', address: parsed };
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(name)) return null;
  return { kind: 'name', name };
}

// --- parsing the policy --------------------------------------------------------------------------

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

// --- resolution ------------------------------------------------------------------------------------

let lookupsInFlight = 0;
const lookupQueue: (() => void)[] = [];

function releaseLookupSlot(): void {
  lookupsInFlight--;
  lookupQueue.shift()?.();
}

/**
 * All addresses of a name, within `timeoutMs` (waiting for a free lookup slot included). The
 * resolver is the system's (getaddrinfo), as the connection itself will use.
 */
function resolveName(name: string, timeoutMs: number): Promise<{ addresses: string[] } | { failure: 'timed out' | 'not found' }> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => settle({ failure: 'timed out' }), timeoutMs);
    function settle(result: { addresses: string[] } | { failure: 'timed out' | 'not found' }): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    }
    const start = (): void => {
      if (settled) {
        lookupQueue.shift()?.();
        return;
      }
      lookupsInFlight++;
      dnsLookup(name, { all: true, verbatim: true }, (error, addresses) => {
        releaseLookupSlot();
        if (error || addresses.length === 0) settle({ failure: 'not found' });
        else settle({ addresses: addresses.map((a) => a.address) });
      });
    };
    if (lookupsInFlight < MAX_CONCURRENT_LOOKUPS) start();
    else lookupQueue.push(start);
  });
}

const platformAddressCache = new Map<string, { addresses: string[]; until: number }>();

function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((entry) => normalizeAddress(entry.address))
    .filter((address): address is string => address !== null);
}

/** Addresses a platform service listens on; a wildcard host means every local address. */
async function platformAddresses(host: string, timeoutMs: number): Promise<string[]> {
  const parsed = parseHost(host);
  if (!parsed) return [];
  if (parsed.kind === 'ip') {
    return specialRangeOf(parsed.address)?.category === 'unspecified' ? [...localAddresses(), '127.0.0.1', '::1'] : [parsed.address];
  }
  const cached = platformAddressCache.get(parsed.name);
  if (cached && cached.until > Date.now()) return cached.addresses;
  const resolved = await resolveName(parsed.name, timeoutMs);
  const addresses = 'addresses' in resolved ? resolved.addresses.map(normalizeAddress).filter((a): a is string => a !== null) : [];
  platformAddressCache.set(parsed.name, { addresses, until: Date.now() + PLATFORM_CACHE_MS });
  return addresses;
}

// --- checks ----------------------------------------------------------------------------------------

const NOT_ALLOWED = "which the platform's endpoint policy (AOS_CLUSTER_ENDPOINT_POLICY) does not let tenants use";

function portMatches(ports: PortRange | null, port: number | null): boolean {
  return ports === null || port === null || (port >= ports.min && port <= ports.max);
}

function addressRuleMatches(rules: readonly Rule[], address: string, port: number | null): boolean {
  return rules.some((rule) => rule.kind === 'address' && rule.list.check(address, familyOf(address)) && portMatches(rule.ports, port));
}

function hostRuleMatches(rules: readonly Rule[], name: string, port: number | null): boolean {
  return rules.some((rule) => rule.kind === 'host' && (rule.wildcard ? name.endsWith(rule.name) : name === rule.name) && portMatches(rule.ports, port));
}

async function isPlatformService(policy: EndpointPolicy, address: string, port: number): Promise<boolean> {
  for (const service of policy.platform.endpoints) {
    if (service.port !== port) continue;
    if ((await platformAddresses(service.host, policy.lookupTimeoutMs)).includes(address)) return true;
  }
  return false;
}

/**
 * Why one address may not be used, or null when it may. An address the tenant wrote is named in
 * the reason; one a name resolved to is not (the tenant learns nothing of the platform's DNS).
 */
async function refusalOf(
  policy: EndpointPolicy,
  address: string,
  port: number | null,
  subject: { address: string } | { name: string; allowed: boolean },
): Promise<string | null> {
  const range = specialRangeOf(address);
  const refused = (category: string) =>
    'name' in subject ? `${subject.name} resolves to an address ${NOT_ALLOWED}` : `${subject.address} is ${/^[aeiou]/.test(category) ? 'an' : 'a'} ${category} address, ${NOT_ALLOWED}`;
  if (range?.hard) return refused(range.category);
  if (port !== null && (await isPlatformService(policy, address, port))) return `this endpoint is a service of the platform itself, ${NOT_ALLOWED}`;
  if (addressRuleMatches(policy.deny, address, port)) return refused('denied');
  if (('allowed' in subject && subject.allowed) || addressRuleMatches(policy.allow, address, port)) return null;
  if (range) return refused(range.category);
  if (!policy.publicAddresses) return `${'name' in subject ? subject.name : subject.address} is not in the allow list of the platform's endpoint policy (AOS_CLUSTER_ENDPOINT_POLICY)`;
  return null;
}

export type EndpointVerdict = { ok: true; addresses: string[] } | { ok: false; reason: string };

/**
 * Whether a tenant may have the platform connect to host:port. A name is resolved (bounded by the
 * policy's lookup timeout) and every address it has must pass. `addresses` are normalised.
 */
export async function checkHostEndpoint(policy: EndpointPolicy, rawHost: string, port: number): Promise<EndpointVerdict> {
  const host = parseHost(rawHost);
  if (!host) return { ok: false, reason: 'the host is neither an IP address nor a host name' };
  if (host.kind === 'ip') {
    const reason = await refusalOf(policy, host.address, port, { address: host.address });
    return reason ? { ok: false, reason } : { ok: true, addresses: [host.address] };
  }
  const { name } = host;
  if (name === 'localhost' || name.endsWith('.localhost')) return { ok: false, reason: `${name} is the platform's own machine, ${NOT_ALLOWED}` };
  if (hostRuleMatches(policy.deny, name, port)) return { ok: false, reason: `${name} is denied by the platform's endpoint policy` };
  const nameAllowed = hostRuleMatches(policy.allow, name, port);
  const resolved = await resolveName(name, policy.lookupTimeoutMs);
  if ('failure' in resolved) {
    return { ok: false, reason: resolved.failure === 'timed out' ? `${name} could not be resolved within ${policy.lookupTimeoutMs} ms` : `${name} does not resolve to any address` };
  }
  const addresses: string[] = [];
  for (const raw of resolved.addresses) {
    const address = normalizeAddress(raw);
    if (!address) return { ok: false, reason: `${name} resolves to something that is not an IP address` };
    const reason = await refusalOf(policy, address, port, { name, allowed: nameAllowed });
    if (reason) return { ok: false, reason };
    addresses.push(address);
  }
  return { ok: true, addresses };
}

/** Whether a tenant's Docker engine may publish ports on this address (an IP, no port). */
export async function checkPublishAddress(policy: EndpointPolicy, raw: string): Promise<EndpointVerdict> {
  const address = normalizeAddress(raw);
  if (!address) return { ok: false, reason: `"${raw}" is not an IP address` };
  const reason = await refusalOf(policy, address, null, { address });
  return reason ? { ok: false, reason } : { ok: true, addresses: [address] };
}

function realPath(socketPath: string): string {
  try {
    return realpathSync(socketPath);
  } catch {
    return socketPath;
  }
}

/** Unix sockets are the machine's own: only the paths the policy lists, never an engine of the platform. */
export function checkUnixSocket(policy: EndpointPolicy, socketPath: string): EndpointVerdict {
  const resolved = path.resolve(socketPath);
  const real = realPath(resolved);
  const platform = policy.platform.sockets.flatMap((s) => [s, realPath(s)]);
  if (platform.includes(resolved) || platform.includes(real)) return { ok: false, reason: `this socket belongs to the platform itself, ${NOT_ALLOWED}` };
  if (policy.unixSockets.includes(resolved)) return { ok: true, addresses: [] };
  return { ok: false, reason: `unix sockets are the platform's own machine, ${NOT_ALLOWED} unless it lists them under "unixSockets"` };
}

/**
 * A `lookup` for net/http/tls connections to a tenant's endpoint: resolves the name, refuses it
 * when any address breaks the policy, and hands the connection exactly the addresses it checked.
 */
export function guardedLookup(policy: EndpointPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    checkHostEndpoint(policy, hostname, port).then(
      (verdict) => {
        if (!verdict.ok) {
          callback(new EndpointRefused(verdict.reason), '', 4);
          return;
        }
        const family = typeof options.family === 'number' && options.family !== 0 ? options.family : null;
        const usable = verdict.addresses.filter((a) => family === null || isIP(a) === family);
        if (usable.length === 0) {
          callback(new EndpointRefused(`${hostname} has no address of the requested family`), '', 4);
          return;
        }
        if (options.all) callback(null, usable.map((address) => ({ address, family: isIP(address) })));
        else callback(null, usable[0], isIP(usable[0]));
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), '', 4),
    );
  };
}

/**
 * The check a connection makes before it dials: literal addresses never go through `lookup`, so
 * they are checked here; names are checked by `guardedLookup` as they resolve.
 */
export async function assertConnectable(policy: EndpointPolicy | null, host: string, port: number): Promise<void> {
  if (!policy) return;
  const parsed = parseHost(host);
  if (parsed?.kind === 'name') return;
  const verdict = await checkHostEndpoint(policy, host, port);
  if (!verdict.ok) throw new EndpointRefused(verdict.reason);
}
