/**
 * The Lambda API key: from the file named by `api_key_file`, else from LAMBDA_API_KEY. It is
 * registered as a secret the moment it is read, so no message, log line, plan or status written
 * afterwards can carry it. A missing key is not fatal when the provider is built (a plan may not
 * touch Lambda at all); every call then fails as `auth`, saying where the key is looked for.
 */
import { readFile } from 'node:fs/promises';
import { registerSecret } from '../../model/index.js';
import { API_KEY_ENV } from './settings.js';

/** The key, or why there is none (a message safe to show). */
export type ApiKey = { key: string } | { missing: string };

/** Reads the API key the settings point at. Never throws. */
export async function resolveApiKey(
  apiKeyFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ApiKey> {
  if (apiKeyFile !== undefined) {
    let text: string;
    try {
      text = await readFile(apiKeyFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      return { missing: `the API key file ${apiKeyFile} (api_key_file) cannot be read (${code})` };
    }
    const key = text.trim();
    if (key === '') return { missing: `the API key file ${apiKeyFile} (api_key_file) is empty` };
    registerSecret(key);
    return { key };
  }
  const key = env[API_KEY_ENV]?.trim();
  if (!key) return { missing: `no API key: set ${API_KEY_ENV} in the environment, or api_key_file in the provider's settings` };
  registerSecret(key);
  return { key };
}
