// IP addresses and host names as endpoints carry them: one spelling per address, and the ranges
// (loopback, private, cloud metadata, ...) that are never, or only by an allow entry, a tenant's.
import { BlockList, isIP } from 'node:net';

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

export function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

export function specialRangeOf(address: string): SpecialRange | undefined {
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
