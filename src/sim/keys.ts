/**
 * Keys: the Ed25519 key pair guest images are signed with (a demo pair shipped in guests/keys,
 * or the user's), and the AES key/IV KCore uses for ENCRYPT/DECRYPT_BUF and the encrypted vCPU
 * snapshots (SeKVM hard-codes both in init_el2_data_page; so do we, as configuration).
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { repoPath } from '../util/repo.js';
import type { BootImage, SignedImage } from '../kserv/image.js';

export const DEMO_PRIVATE_KEY = 'guests/keys/demo-ed25519.pem';
export const DEMO_PUBLIC_KEY = 'guests/keys/demo-ed25519.pub.pem';

/** 16-byte AES-128 key and IV used by KCore's snapshot encryption (fixed, like SeKVM's). */
export const AES_KEY = Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + 0x3c) & 0xff);
export const AES_IV = Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + 0x5a) & 0xff);

export function loadPrivateKey(path = repoPath(DEMO_PRIVATE_KEY)): KeyObject {
  return createPrivateKey(readFileSync(path));
}

/** The raw 32-byte Ed25519 public key of a PEM file (SPKI public key or PKCS#8 private key). */
export function rawPublicKey(path = repoPath(DEMO_PUBLIC_KEY)): Uint8Array {
  const pem = readFileSync(path);
  const pub = pem.toString().includes('PRIVATE') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  if (pub.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 key`);
  const der = pub.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** Signs a boot image with Ed25519. */
export function signImage(name: string, img: BootImage, key: KeyObject): SignedImage {
  return { ...img, name, signature: new Uint8Array(sign(null, img.bytes, key)) };
}
