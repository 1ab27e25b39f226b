import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Reversible encryption for secrets a switch must read back in clear (SIP digest secrets), as
 * opposed to passwords, which are hashed. AES-256-GCM with a random 96-bit IV per value; stored as
 * `v1.<iv>.<tag>.<ciphertext>` in base64url.
 *
 * The key is configured once at boot (buildApp -> configureSecretKey) from TOLLGATE_SECRET_KEY or
 * the key file in the data folder. It is process-wide state on purpose: it is infrastructure, like
 * the database pool, and every encrypting caller (SIP devices, and account creation that makes a
 * device) would otherwise need it threaded through. Without configuration (unit tests), a random
 * per-process key is used: values then do not survive a restart, which tests never need.
 */
let key: Buffer | null = null;

/** Any string of >= 32 characters; hashed to 256 bits so its format does not matter. */
export function configureSecretKey(material: string): void {
  if (material.length < 32) throw new Error('The secret key must be at least 32 characters');
  key = crypto.createHash('sha256').update(material, 'utf8').digest();
}

function currentKey(): Buffer {
  key ??= crypto.randomBytes(32);
  return key;
}

export function encryptSecret(plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', currentKey(), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, ct] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('Unknown secret format');
  const decipher = crypto.createDecipheriv('aes-256-gcm', currentKey(), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/**
 * The key material for a server: the configured one, else `<dataDir>/secret.key`, created with
 * 0600 permissions on first start. Keep that file with the database backups: without it, stored
 * SIP secrets cannot be read back (devices then need a secret reset).
 */
export function loadOrCreateKeyFile(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const material = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, material + '\n', { mode: 0o600, flag: 'wx' });
  return material;
}

const SECRET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random SIP secret from a CSPRNG: 20 characters (~115 bits) by default. */
export function generateSecret(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SECRET_ALPHABET[crypto.randomInt(SECRET_ALPHABET.length)];
  return out;
}
