import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { JunctionError } from '../core/errors.ts';

/** The sealed secret could not be opened: wrong key or tampered data. */
export class SecretUnsealError extends JunctionError {
  override readonly code = 'secret_unseal_failed';
}

/** Seals and opens small JSON secrets with AES-256-GCM; the format is `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export interface SecretBox {
  seal(value: unknown): string;
  open(sealed: string): unknown;
  /**
   * A keyed hash (HMAC-SHA256, hex) of `value` for one `purpose`, under a key derived from the secret key:
   * the same value gives the same hash on this installation, and no one without the key can test a guess
   * (an audit entry names a person this way, never in clear).
   */
  mac(purpose: string, value: string): string;
}

/** Makes a SecretBox from a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new JunctionError('the secret key must be 32 bytes');
  // One derived key per purpose (HKDF): the encryption key itself never keys a hash.
  const macKeys = new Map<string, Buffer>();
  const macKey = (purpose: string) => {
    let k = macKeys.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `junction mac: ${purpose}`, 32));
      macKeys.set(purpose, k);
    }
    return k;
  };
  return {
    mac(purpose, value) {
      return createHmac('sha256', macKey(purpose)).update(value, 'utf8').digest('hex');
    },
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        data.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined)
        throw new SecretUnsealError('unknown secret format');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
        return JSON.parse(plain.toString('utf8'));
      } catch (cause) {
        throw new SecretUnsealError(
          'a stored secret could not be decrypted (is JUNCTION_SECRET_KEY the one it was sealed with?)',
          { cause },
        );
      }
    },
  };
}
