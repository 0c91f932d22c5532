/**
 * Where the AWS credential chain will find credentials, said without reading any secret: the
 * first source of the chain's order (environment, profile, web identity, shared files, container,
 * instance role) that is present. Cheap: no SDK is loaded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export function awsCredentialSource(env: Env): string {
  if (env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) {
    return `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment${env['AWS_SESSION_TOKEN'] ? ' (with AWS_SESSION_TOKEN)' : ''}`;
  }
  const home = env['HOME'] ?? '';
  const credentials = env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(home, '.aws', 'credentials');
  const config = env['AWS_CONFIG_FILE'] ?? join(home, '.aws', 'config');
  if (env['AWS_PROFILE']) return `profile "${env['AWS_PROFILE']}" (AWS_PROFILE) of ${credentials} or ${config}`;
  if (env['AWS_WEB_IDENTITY_TOKEN_FILE'] && env['AWS_ROLE_ARN']) return `web identity token ${env['AWS_WEB_IDENTITY_TOKEN_FILE']} for role ${env['AWS_ROLE_ARN']}`;
  if (existsSync(credentials)) return `the default profile of ${credentials}`;
  if (existsSync(config)) return `the default profile of ${config}`;
  if (env['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] || env['AWS_CONTAINER_CREDENTIALS_FULL_URI']) return "the container's task role";
  if (env['AWS_EC2_METADATA_DISABLED'] === 'true') return `none: no keys in the environment, no ${credentials}, and the instance role is disabled (AWS_EC2_METADATA_DISABLED)`;
  return `none in the environment or ${credentials}: only an EC2 instance role can answer`;
}
