/**
 * Throw-away service-account keys and the server side of Google's self-signed JWT scheme: a
 * service account signs `{iss, sub, scope, iat, exp}` with its private key (RS256, `kid` = the
 * key id) and sends it as `Authorization: Bearer <jwt>`; the API checks it with the public key.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A service-account key as `gcloud iam service-accounts keys create` writes it, plus its public half. */
export interface ServiceAccountKey {
  file: string;
  email: string;
  keyId: string;
  /** PEM of the private key: the secret that must never be printed. */
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** Generates an RSA key pair and writes it as a service-account key file in `dir`. */
export async function writeServiceAccountKey(dir: string, project: string, tokenUri: string): Promise<ServiceAccountKey> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyId = randomBytes(20).toString('hex');
  const email = `navarch-test@${project}.iam.gserviceaccount.com`;
  const file = path.join(dir, 'service-account.json');
  const json = {
    type: 'service_account',
    project_id: project,
    private_key_id: keyId,
    private_key: privateKeyPem,
    client_email: email,
    client_id: '109876543210987654321',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
    universe_domain: 'googleapis.com',
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  return { file, email, keyId, privateKeyPem, publicKey: createPublicKey(privateKey) };
}

/** Scopes that allow Compute Engine calls. */
const COMPUTE_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/compute'];

/** Why a bearer token was refused, or the caller's email when it was accepted. */
export type BearerCheck = { ok: true; email: string } | { ok: false; why: string };

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks an `Authorization` header against the registered keys. */
export function checkBearer(header: string | undefined, keys: ReadonlyMap<string, ServiceAccountKey>, nowMs: number): BearerCheck {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m?.[1]) return { ok: false, why: 'no bearer token' };
  const parts = m[1].split('.');
  const [h, p, s] = parts;
  if (parts.length !== 3 || !h || !p || !s) return { ok: false, why: 'not a JWT' };
  const head = decodePart(h);
  const claims = decodePart(p);
  if (!head || !claims) return { ok: false, why: 'undecodable JWT' };
  if (head['alg'] !== 'RS256') return { ok: false, why: 'not RS256' };
  const key = typeof head['kid'] === 'string' ? keys.get(head['kid']) : undefined;
  if (!key) return { ok: false, why: 'unknown key id' };
  if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url'))) return { ok: false, why: 'bad signature' };
  if (claims['iss'] !== key.email || claims['sub'] !== key.email) return { ok: false, why: 'issuer is not the key owner' };
  const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : [];
  const audienceOk = typeof claims['aud'] === 'string' && claims['aud'].startsWith('https://compute.googleapis.com');
  if (!audienceOk && !scopes.some((sc) => COMPUTE_SCOPES.includes(sc))) return { ok: false, why: 'no compute scope or audience' };
  if (typeof claims['exp'] !== 'number' || claims['exp'] * 1000 <= nowMs) return { ok: false, why: 'expired' };
  return { ok: true, email: key.email };
}
