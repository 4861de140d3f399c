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
//
// The parts: endpoint-policy-parse.ts (the policy and its rules, from the variable),
// endpoint-addresses.ts (address spellings and special ranges), endpoint-lookups.ts (bounded name
// resolution); this file holds the checks. What other modules use is exported from here.
import { realpathSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';
import path from 'node:path';
import { familyOf, normalizeAddress, parseHost, specialRangeOf } from './endpoint-addresses.js';
import { platformAddresses, resolveName } from './endpoint-lookups.js';
import type { EndpointPolicy, PortRange, Rule } from './endpoint-policy-parse.js';

export { normalizeAddress, parseHost } from './endpoint-addresses.js';
export { parseEndpointPolicy, platformServices, type EndpointPolicy } from './endpoint-policy-parse.js';

/** A connection the policy refuses. Its message is safe to show the tenant (no resolved addresses). */
export class EndpointRefused extends Error {
  readonly code = 'ENDPOINT_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EndpointRefused';
  }
}

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
