/** Packaging: the systemd unit and the cloud-init user data providers give new instances. */
export { systemdUnit, UNIT_NAME, ENV_FILE, TOKEN_FILE, STATE_DIR, type UnitOptions } from './systemd.js';
export { agentUserData, type AgentUserDataOptions } from './user-data.js';
export { shQuote, systemdQuote, envFileQuote } from './quote.js';
/** The version a bootstrap installs unless told otherwise: this package's. */
export { AGENT_VERSION } from '../version.js';
