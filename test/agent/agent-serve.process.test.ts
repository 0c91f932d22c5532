/**
 * The agent's process tests against the real control plane: `navarch serve` as a process on
 * 127.0.0.1 (serve-control-plane.ts). Outages are real restarts; the receiver's `hang` and
 * `malformed` have no counterpart here, and the tests needing them skip.
 */
import { agentProcessSuite } from './agent-process-suite.js';
import { startControlPlane } from './serve-control-plane.js';

agentProcessSuite('navarch serve', startControlPlane);
