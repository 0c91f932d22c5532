/** Where the Lambda API key comes from (see credentials.ts), said without reading it. */
import { API_KEY_ENV, type LambdaSettings } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

export function lambdaCredentialSource(settings: Pick<LambdaSettings, 'apiKeyFile'>, env: Env): string {
  if (settings.apiKeyFile !== undefined) return `the key file ${settings.apiKeyFile} (api_key_file)`;
  if (env[API_KEY_ENV]?.trim()) return `${API_KEY_ENV} in the environment`;
  return `none: set ${API_KEY_ENV}, or api_key_file in the provider's settings`;
}
