// The SCRAM-SHA-256 verifier the driver stores instead of a clear password: checked against the
// exchange of RFC 7677 (user "user", password "pencil"), as a server holding it would check it.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramVerifier } from '../../../../src/drivers/postgresql/scram.js';

const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const AUTH_MESSAGE = [
  'n=user,r=rOprNGfwEbeRWgbNEkqO',
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
].join(',');
const CLIENT_PROOF = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
const SERVER_SIGNATURE = '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

function parts(verifier: string): { iterations: number; salt: string; storedKey: Buffer; serverKey: Buffer } {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) throw new Error(`not a verifier: ${verifier}`);
  return { iterations: Number(match[1]), salt: match[2], storedKey: Buffer.from(match[3], 'base64'), serverKey: Buffer.from(match[4], 'base64') };
}

/** What the server does with a client's proof: recover ClientKey and compare its hash. */
function serverAccepts(verifier: string, proof: Buffer): boolean {
  const { storedKey } = parts(verifier);
  const signature = createHmac('sha256', storedKey).update(AUTH_MESSAGE).digest();
  const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
  return createHash('sha256').update(clientKey).digest().equals(storedKey);
}

describe('scramVerifier', () => {
  it('accepts the RFC 7677 client proof for "pencil" and signs as the RFC server does', () => {
    const verifier = scramVerifier('pencil', SALT);
    expect(parts(verifier)).toMatchObject({ iterations: 4096, salt: SALT.toString('base64') });
    expect(serverAccepts(verifier, CLIENT_PROOF)).toBe(true);
    expect(createHmac('sha256', parts(verifier).serverKey).update(AUTH_MESSAGE).digest('base64')).toBe(SERVER_SIGNATURE);
  });

  it('refuses that proof for another password, and salts every verifier anew', () => {
    expect(serverAccepts(scramVerifier('pencil2', SALT), CLIENT_PROOF)).toBe(false);
    const [a, b] = [scramVerifier('pencil'), scramVerifier('pencil')];
    expect(a).not.toBe(b);
    expect(a).not.toContain('pencil');
  });
});
