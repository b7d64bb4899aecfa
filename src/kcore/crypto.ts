/**
 * KCore's cryptography, from node:crypto (SeKVM uses HACL*): Ed25519 verification of boot
 * images (verify_image), AES-128-CBC for ENCRYPT/DECRYPT_BUF and SAVE/LOAD_CRYPT_VCPU.
 * The SeKVM artifact hard-codes its key, signature and AES key/IV and ignores the verification
 * result; here the key is configuration and a failed verification stops the VM (sekvm.md §9.3 #6).
 */
import { createPublicKey, verify, createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  // (Parsed once per distinct key: every verified boot asks again for the same few keys.)
  const hex = Buffer.from(raw).toString('hex');
  let k = KEYS.get(hex);
  if (k === undefined) {
    k = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (KEYS.size >= 64) KEYS.clear();
    KEYS.set(hex, k);
  }
  return k;
}

const KEYS = new Map<string, KeyObject>();

/** Ed25519 verification of `message` against a 64-byte signature. */
export function ed25519Verify(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** AES-128-CBC without padding over whole 16-byte blocks (a 4 KB page, or register blocks). */
export function aesEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-cbc', key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

export function aesDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const d = createDecipheriv('aes-128-cbc', key, iv);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}
