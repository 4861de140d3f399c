/**
 * A client request token (the mutations that take one are idempotent should a request be sent
 * twice). crypto.randomUUID exists in secure contexts only (https, loopback): the console opened
 * over plain http on another address falls back to getRandomValues, which exists everywhere.
 */
export function requestToken(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
