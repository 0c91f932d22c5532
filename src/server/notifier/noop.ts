/** The default notifier: logs what it would say and counts every drain as done at once. */
import type { Logger } from '../../log/index.js';
import type { NotifiedNode, Notifier } from './types.js';

export class NoopNotifier implements Notifier {
  readonly name = 'noop';
  constructor(private readonly logger: Logger) {}

  async cordon(node: NotifiedNode, reason: string): Promise<void> {
    this.logger.info({ node: node.name, pool: node.pool, reason }, 'cordon (noop notifier)');
  }
  async uncordon(node: NotifiedNode): Promise<void> {
    this.logger.info({ node: node.name, pool: node.pool }, 'uncordon (noop notifier)');
  }
  async drain(node: NotifiedNode, reason: string): Promise<void> {
    this.logger.info({ node: node.name, pool: node.pool, reason }, 'drain (noop notifier)');
  }
  async isDrained(): Promise<boolean> {
    return true;
  }
}
