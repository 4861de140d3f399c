// Name resolution for endpoint checks: bounded in time and in lookups at once (getaddrinfo holds
// a libuv thread each), and the platform's own host names, resolved once a minute at most.
import { lookup as dnsLookup } from 'node:dns';
import { networkInterfaces } from 'node:os';
import { normalizeAddress, parseHost, specialRangeOf } from './endpoint-addresses.js';

/** Name resolutions for tenant endpoints in flight at once: getaddrinfo holds a libuv thread each. */
const MAX_CONCURRENT_LOOKUPS = 2;
/** Resolved platform host names are kept this long. */
const PLATFORM_CACHE_MS = 60_000;

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
export function resolveName(name: string, timeoutMs: number): Promise<{ addresses: string[] } | { failure: 'timed out' | 'not found' }> {
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
export async function platformAddresses(host: string, timeoutMs: number): Promise<string[]> {
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
