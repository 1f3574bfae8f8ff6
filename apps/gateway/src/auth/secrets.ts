import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt is memory-hard: N=2^15, r=8 takes 32 MiB per hash, which makes guessing passwords costly. */
const scryptParams = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } satisfies ScryptOptions;
const keyLengthBytes = 32;
const saltBytes = 16;
export const tokenBytes = 32;

function scryptAsync(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLengthBytes, params, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Encoded as `scrypt$N$r$p$salt$hash` so the parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await scryptAsync(password, salt, scryptParams);
  const { N, r, p } = scryptParams;
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = encoded.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    maxmem: scryptParams.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password check against a hash that matches nothing, so a missing account costs as much as a wrong password. */
export const unmatchableHash = `scrypt$${scryptParams.N}$${scryptParams.r}$${scryptParams.p}$${Buffer.alloc(saltBytes).toString('base64')}$${Buffer.alloc(keyLengthBytes).toString('base64')}`;

export function randomToken(): string {
  return randomBytes(tokenBytes).toString('base64url');
}

/** Session tokens and API key secrets are 256 random bits: a fast hash is enough to store them safely. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
