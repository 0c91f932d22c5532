/**
 * What a node navarch creates boots with: the agent's own bootstrap (agent/packaging), filled in
 * with what only the control plane knows: the node's token, the URL agents reach it at, and the
 * GPU count the instance type should show, so a node that comes up short fails its boot check.
 */
import { agentUserData, AGENT_VERSION } from '../../agent/packaging/index.js';
import type { UserDataHook } from '../apply/index.js';
import { lookupInstanceType } from '../catalog/index.js';
import { registerSecret } from '../model/index.js';
import { nodeToken } from './auth.js';

export interface NodeUserDataOptions {
  /** URL agents reach the control plane at. */
  serverUrl: string;
  /** The secret node tokens derive from. */
  nodeSecret: string;
  /**
   * navarch-agent version the node installs; this control plane's by default (the two packages share
   * one version), so both ends speak the same API.
   */
  version?: string;
  /** npm registry the node installs from; the public registry by default. */
  registry?: string;
}

/** apply's user-data hook: the agent bootstrap of each node, for the placement it is created in. */
export function nodeUserData(opts: NodeUserDataOptions): UserDataHook {
  return (node, pool, placement) => {
    const token = nodeToken(opts.nodeSecret, node);
    // Logs and errors never show it, even when a provider echoes the request back in an error.
    registerSecret(token);
    const gpus = lookupInstanceType(placement.providerType, placement.instanceType)?.gpus;
    return agentUserData({
      server: opts.serverUrl,
      nodeId: node,
      token,
      version: opts.version ?? AGENT_VERSION,
      pool,
      ...(gpus !== undefined ? { expectGpus: gpus } : {}),
      ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
    });
  };
}
