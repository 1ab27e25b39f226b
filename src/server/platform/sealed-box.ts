import crypto from 'node:crypto';

/**
 * Sealed boxes: data encrypted to a public key, so the server that stores it cannot read it back.
 * X25519 with a fresh ephemeral key per box, HKDF-SHA256, AES-256-GCM. The private key is handed
 * to the requester once (as a "download key") and never stored.
 */

const INFO = Buffer.from('tollgate sealed box v1');

export function createBoxKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
  };
}

function derive(shared: Buffer, ephemeralDer: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', shared, ephemeralDer, INFO, 32));
}

export function seal(plaintext: string, publicKeyB64: string): string {
  const recipient = crypto.createPublicKey({
    key: Buffer.from(publicKeyB64, 'base64url'),
    format: 'der',
    type: 'spki',
  });
  const eph = crypto.generateKeyPairSync('x25519');
  const ephDer = eph.publicKey.export({ type: 'spki', format: 'der' });
  const key = derive(crypto.diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), ephDer);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([ephDer.length]), ephDer, iv, cipher.getAuthTag(), ct]).toString(
    'base64url',
  );
}

/** Parses a private key given back by a client; null when it is not one. */
export function parseBoxKey(privateKeyB64: string): crypto.KeyObject | null {
  try {
    const key = crypto.createPrivateKey({
      key: Buffer.from(privateKeyB64, 'base64url'),
      format: 'der',
      type: 'pkcs8',
    });
    return key.asymmetricKeyType === 'x25519' ? key : null;
  } catch {
    return null;
  }
}

/** Opens a box; null when the key is wrong or the box was tampered with. */
export function open(box: string, privateKey: crypto.KeyObject): string | null {
  try {
    const buf = Buffer.from(box, 'base64url');
    const n = buf[0]!;
    const ephDer = buf.subarray(1, 1 + n);
    const iv = buf.subarray(1 + n, 13 + n);
    const tag = buf.subarray(13 + n, 29 + n);
    const ct = buf.subarray(29 + n);
    const eph = crypto.createPublicKey({ key: ephDer, format: 'der', type: 'spki' });
    const key = derive(crypto.diffieHellman({ privateKey, publicKey: eph }), ephDer);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Whether a private key belongs to a public key (to tell a wrong download key from a broken box). */
export function keyMatches(privateKey: crypto.KeyObject, publicKeyB64: string): boolean {
  const pub = crypto
    .createPublicKey(privateKey)
    .export({ type: 'spki', format: 'der' })
    .toString('base64url');
  return pub === publicKeyB64;
}
