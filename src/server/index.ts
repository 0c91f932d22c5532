/** The control plane: the HTTP API agents and operators call, its store, and the reconcile loop. */
export { buildServer, routesOf, type RouteInfo, type ServerOptions } from './app.js';
export type { ControlSurface } from './admin-routes.js';
export { authorize, AuthError, KnownTokens, NODE_ID, nodeToken, secureEqual, type AuthConfig, type RouteAuth } from './auth.js';
export { Metrics, type NodeView } from './metrics.js';
export { DEFAULT_NODE_LIMITS, NodeRateLimiter, type NodeLimits, type Rate } from './limits.js';
export { NodeService, type NodeServiceDeps } from './nodes.js';
export { createNotifier, fieldAt, NoopNotifier, WebhookNotifier, type NotifiedNode, type Notifier } from './notifier/index.js';
export { DEFAULT_PORT, DEFAULT_STORE, parseControlPlane, parseListen, type ControlPlaneSettings, type ListenAddress, type NotifierSettings } from './settings.js';
export {
  DEFAULT_STORE_MAX_BYTES,
  lastContact,
  lockStore,
  SqliteStore,
  type Eviction,
  type NodeRecord,
  type Store,
  type StoredCommand,
  type StoredEvent,
  type StoredReport,
  type StoreUsage,
} from './store/index.js';
export { AGENT_SCHEMAS } from './schemas.js';
export { nodeDetail, nodeSummary, type NodeHistory, type NodeSummary } from './views.js';
export { ControlPlane, type ControlPlaneEvent, type ControlPlaneOptions, type ReconcileSummary } from './control-plane.js';
export type { PassFacts } from './reconcile.js';
export { nodeUserData, type NodeUserDataOptions } from './user-data.js';
export { INSECURE_ADMIN_TOKEN, INSECURE_NODE_SECRET, METRICS_TOKEN_ENV, metricsToken, serverCredentials, type Credentials } from './credentials.js';
export { startServe, type RunningServer, type ServeOptions } from './serve.js';
export { isPushEvent, pushNotice, signBody, validSignature, webhookEvent, type PushNotice } from './webhook.js';
