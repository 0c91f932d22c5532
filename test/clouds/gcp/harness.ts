/**
 * A GCP provider wired to the loopback Compute Engine API with a throw-away service-account key,
 * built through the provider registry exactly as navarch builds one from navarch.yaml.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { instanceTypes } from '../../../src/catalog/index.js';
import { silentLogger, type Logger } from '../../../src/log/index.js';
import { systemClock, type Clock, type ProviderConfig, type ProvisionRequest } from '../../../src/model/index.js';
import { createProvider, type Provider } from '../../../src/providers/index.js';
import type { ContractErrorClass, ContractOp } from '../../contract/provider-contract.js';
import { navarchTags, provisionRequest } from '../../helpers/provider-requests.js';
import { writeServiceAccountKey, type ServiceAccountKey } from './credentials.js';
import { ComputeServer } from './server.js';
import type { Fault } from './wire.js';

export const PROJECT = 'navarch-test-1';

/** Every zone navarch's catalog knows for GCP: the zones the loopback API serves. */
export function catalogZones(): string[] {
  const zones = new Set<string>();
  for (const info of instanceTypes('gcp')) for (const r of info.regions) for (const z of r.zones) zones.add(z);
  return [...zones].sort();
}

export interface GcpTestbed {
  server: ComputeServer;
  provider: Provider;
  key: ServiceAccountKey;
  dir: string;
  /** Builds another provider against the same server (other settings, env, clock or logger). */
  makeProvider(options?: { settings?: Record<string, unknown>; env?: Record<string, string | undefined>; clock?: Clock; logger?: Logger; name?: string }): Promise<Provider>;
  close(): Promise<void>;
}

/** Starts a loopback API and a provider named `gcp-test` talking to it. */
export async function startGcp(options: { pageSize?: number; clock?: Clock; settings?: Record<string, unknown> } = {}): Promise<GcpTestbed> {
  const dir = await mkdtemp(path.join(tmpdir(), 'navarch-gcp-'));
  const server = new ComputeServer({ project: PROJECT, zones: catalogZones(), ...(options.pageSize ? { pageSize: options.pageSize } : {}) });
  await server.start();
  // token_uri names the loopback server; the client never needs it, since service accounts sign their own JWTs.
  const key = await writeServiceAccountKey(dir, PROJECT, `${server.url}/token`);
  server.trust(key);
  const makeProvider: GcpTestbed['makeProvider'] = async (o = {}) => {
    const config: ProviderConfig = {
      name: o.name ?? 'gcp-test',
      type: 'gcp',
      settings: { project: PROJECT, endpoint: server.url, ...options.settings, ...o.settings },
      source: { file: 'navarch.yaml', line: 1, column: 1 },
    };
    return createProvider(config, {
      root: dir,
      clock: o.clock ?? options.clock ?? systemClock,
      logger: o.logger ?? silentLogger,
      env: o.env ?? { GOOGLE_APPLICATION_CREDENTIALS: key.file },
    });
  };
  const provider = await makeProvider();
  return {
    server,
    provider,
    key,
    dir,
    makeProvider,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** How Compute Engine reports each error class, per operation, as the contract suite injects them. */
export function contractFault(op: ContractOp, errorClass: ContractErrorClass, zone: string): Fault {
  const project = `projects/${PROJECT}`;
  switch (errorClass) {
    case 'capacity':
      return op === 'list'
        ? { kind: 'http', status: 503, reason: 'insufficientCapacity', message: `The zone '${project}/zones/${zone}' does not have enough resources available to fulfill the request.` }
        : {
            kind: 'operation',
            code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
            message: `The zone '${project}/zones/${zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
            httpStatus: 503,
            httpMessage: 'SERVICE UNAVAILABLE',
          };
    case 'quota':
      return op === 'list'
        ? { kind: 'http', status: 403, reason: 'quotaExceeded', domain: 'usageLimits', message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." }
        : {
            kind: 'operation',
            code: 'QUOTA_EXCEEDED',
            message: "Quota 'NVIDIA_L4_GPUS' exceeded.  Limit: 0.0 in region us-central1.",
            httpStatus: 403,
            httpMessage: 'FORBIDDEN',
            errorDetails: [
              {
                quotaInfo: {
                  metricName: 'compute.googleapis.com/nvidia_l4_gpus',
                  limitName: 'NVIDIA-L4-GPUS-per-project-region',
                  dimensions: { region: 'us-central1' },
                  limit: 0,
                },
              },
            ],
          };
    case 'throttled':
      // Compute Engine answers rate limiting with 403 as well as 429: only the reason tells it from a refusal.
      return { kind: 'http', status: 403, reason: 'rateLimitExceeded', domain: 'usageLimits', message: 'Rate Limit Exceeded' };
    case 'auth':
      return { kind: 'http', status: 403, reason: 'forbidden', message: `Required 'compute.instances.${op === 'list' ? 'list' : op === 'provision' ? 'create' : 'delete'}' permission for '${project}'` };
    case 'invalid':
      return { kind: 'http', status: 400, reason: 'invalid', message: "Invalid value for field 'resource.machineType': 'zones/us-central1-a/machineTypes/x'. Machine type does not exist." };
    case 'transient':
      return { kind: 'http', status: op === 'list' ? 503 : 500, reason: 'backendError', message: 'Internal error. Please try again or contact Google Support.' };
  }
}

/**
 * A provision request as apply makes it on GCP: a `g2-standard-4` in `us-central1-a` for node
 * `train-1` (or `over.nodeName`) of pool `train` in fleet `research`, labelled `team: ml`.
 */
export function gcpRequest(over: Partial<ProvisionRequest> = {}): ProvisionRequest {
  const nodeName = over.nodeName ?? 'train-1';
  return provisionRequest(nodeName, {
    instanceType: 'g2-standard-4',
    region: 'us-central1',
    zone: 'us-central1-a',
    tags: navarchTags('research', 'train', nodeName, { team: 'ml' }),
    ...over,
  });
}
