// Outside services/: the API seals with it and the worker opens with it, and the worker side may
// not import services/ (services reach the worker through Temporal; the reverse would be a cycle).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * Authenticated encryption (AES-256-GCM) for secrets at rest: secret inputs and attributes,
 * cluster credentials. The key comes from AOS_SECRET_KEY (npm run up keeps one in the data dir).
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the secret key must be at least 16 characters');
    this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  open(sealed: string): unknown {
    if (!SecretBox.isSealed(sealed)) return sealed;
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  }

  /** Seals the values of `keys` in a flat record. */
  sealKeys(record: Record<string, unknown>, keys: Iterable<string>): Record<string, unknown> {
    const out = { ...record };
    for (const key of keys) if (key in out && !SecretBox.isSealed(out[key])) out[key] = this.seal(out[key]);
    return out;
  }

  /** Opens every sealed value of a flat record. */
  openAll(record: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, SecretBox.isSealed(v) ? this.open(v) : v]));
  }
}
