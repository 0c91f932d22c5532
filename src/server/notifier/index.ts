/** Notifiers: noop (the default) and webhook, built from `control_plane.notifier`. */
import type { NotifierSettings } from '../settings.js';
import { NoopNotifier } from './noop.js';
import { WebhookNotifier, type WebhookDeps } from './webhook.js';
import type { Notifier } from './types.js';

export type { NotifiedNode, Notifier } from './types.js';
export { NoopNotifier } from './noop.js';
export { WebhookNotifier, fieldAt, type WebhookDeps, type WebhookEvent } from './webhook.js';

export function createNotifier(settings: NotifierSettings, deps: WebhookDeps): Notifier {
  return settings.type === 'webhook' ? new WebhookNotifier(settings, deps) : new NoopNotifier(deps.logger.child({ component: 'notifier' }));
}
