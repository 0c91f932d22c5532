/** Reporting to the control plane: the API client, the ordered bounded outbox, its sender, and saved state. */
export { ControlPlaneClient, ApiError, type ApiErrorKind, type ClientOptions } from './client.js';
export { Outbox, summarise, SUMMARY_CHECK, type OutboxEntry, type OutboxOptions } from './outbox.js';
export { ReportSender, type SenderOptions } from './sender.js';
export { StateStore, STATE_FILE, type AgentState } from './state.js';
