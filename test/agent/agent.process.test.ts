/**
 * The agent's process tests against the loopback receiver (receiver.ts), or against the adapter
 * NAVARCH_AGENT_CONTROL_PLANE names.
 */
import { agentProcessSuite } from './agent-process-suite.js';
import { startControlPlane } from './control-plane.js';

agentProcessSuite(process.env['NAVARCH_AGENT_CONTROL_PLANE'] ? 'the control plane of NAVARCH_AGENT_CONTROL_PLANE' : 'the loopback receiver', startControlPlane);
