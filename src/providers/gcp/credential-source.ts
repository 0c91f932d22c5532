/**
 * Where Application Default Credentials will come from, said without reading any secret: the key
 * file GOOGLE_APPLICATION_CREDENTIALS names, gcloud's well-known file, or the metadata server.
 * Cheap: the Google client libraries are not loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** Where `gcloud auth application-default login` leaves its credentials (the auth library looks there next). */
export function wellKnownCredentialsFile(env: Env): string | undefined {
  const base = process.platform === 'win32' ? env['APPDATA'] : env['HOME'] ? path.join(env['HOME'], '.config') : undefined;
  return base ? path.join(base, 'gcloud', 'application_default_credentials.json') : undefined;
}

/** The `type` of a credentials file (service_account, authorized_user, external_account), when it says. */
function kindOf(file: string): string | undefined {
  try {
    const type = (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type;
    return typeof type === 'string' ? type.replace(/_/g, ' ') : undefined;
  } catch {
    return undefined;
  }
}

export function gcpCredentialSource(env: Env): string {
  const keyFile = env['GOOGLE_APPLICATION_CREDENTIALS'];
  if (keyFile) {
    if (!existsSync(keyFile)) return `${keyFile} (GOOGLE_APPLICATION_CREDENTIALS), which does not exist`;
    const kind = kindOf(keyFile);
    return `${kind ? `${kind} ` : ''}key file ${keyFile} (GOOGLE_APPLICATION_CREDENTIALS)`;
  }
  const wellKnown = wellKnownCredentialsFile(env);
  if (wellKnown && existsSync(wellKnown)) return `gcloud's application default credentials (${wellKnown})`;
  return 'none in the environment or from gcloud: only the metadata server of a Google Cloud machine can answer';
}
