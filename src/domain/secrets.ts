export const MASK = '******';

const SECRET_KEY = /pass(word)?|secret|token|kubeconfig|connectionurl|credential|private[-_]?key/i;
const MAX_AUDITED_STRING = 4096;

/** True for a field name whose value must never be shown or logged. */
function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of `value` fit for audit records and logs: secret-looking keys masked, the given extra
 * paths masked (e.g. password inputs), long strings cut.
 */
export function maskForRecord(value: unknown, extraSecretKeys: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_AUDITED_STRING ? `${value.slice(0, MAX_AUDITED_STRING)}…(${value.length} chars)` : value;
  }
  if (Array.isArray(value)) return value.map((item) => maskForRecord(item, extraSecretKeys));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSecretKey(key) || extraSecretKeys.has(key) ? MASK : maskForRecord(inner, extraSecretKeys);
    }
    return out;
  }
  return value;
}
