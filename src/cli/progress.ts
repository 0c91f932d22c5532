/**
 * Apply progress. Off a terminal: one line per event, for CI logs. On a terminal: the same lines
 * plus a status line redrawn in place with what is in flight and for how long, cut to the
 * terminal's width (a line that wraps cannot be redrawn in place: each redraw would add a row).
 */
import type { ApplyEvent } from '../apply/index.js';
import { formatDuration, type Action, type Clock } from '../model/index.js';
import type { Colors, Output } from './context.js';

const verb: Record<Action['kind'], string> = { create: 'Creating', destroy: 'Destroying', replace: 'Replacing', update: 'Updating' };
const symbol: Record<Action['kind'], string> = { create: '+', destroy: '-', replace: '-/+', update: '~' };

/** `text` cut to fit `columns` (one column spare, where the cursor waits), marked with `…`; whole when the width is unknown. */
export function fit(text: string, columns: number | undefined): string {
  if (columns === undefined || columns < 2) return text;
  const chars = [...text];
  return chars.length <= columns - 1 ? text : `${chars.slice(0, Math.max(0, columns - 2)).join('')}…`;
}

export class Progress {
  private readonly inFlight = new Map<string, { action: Action; since: number }>();
  private done = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastLine = '';

  constructor(
    private readonly out: Output,
    private readonly c: Colors,
    private readonly clock: Clock,
    private readonly total: number,
    private readonly live: boolean,
  ) {
    if (live) this.timer = setInterval(() => this.redraw(), 1000);
  }

  handle(e: ApplyEvent): void {
    const a = e.action;
    const label = `${symbol[a.kind]} ${a.node}`;
    switch (e.type) {
      case 'start':
        this.inFlight.set(a.id, { action: a, since: this.clock.now() });
        this.print(`${this.c.dim(`[${this.done}/${this.total}]`)} ${label}: ${verb[a.kind].toLowerCase()}…`);
        break;
      case 'step':
        this.print(`  ${label}: ${e.message}`);
        break;
      case 'retry':
        this.print(`  ${label}: ${this.c.yellow(`retrying in ${formatDuration(e.waitMs)}`)} (attempt ${e.attempt}: ${e.error})`);
        break;
      case 'failover':
        this.print(`  ${label}: ${this.c.yellow(`${e.from} unavailable, trying ${e.to}`)} (${e.error})`);
        break;
      case 'done':
        this.inFlight.delete(a.id);
        this.done += 1;
        this.print(
          `${this.c.dim(`[${this.done}/${this.total}]`)} ${label}: ${this.c.green('done')} after ${formatDuration(e.durationMs)}` +
            (e.instance ? ` (${e.instance.id}, ${e.instance.provider} ${e.instance.zone ?? e.instance.region})` : ''),
        );
        break;
      case 'failed':
        this.inFlight.delete(a.id);
        this.done += 1;
        this.print(`${this.c.dim(`[${this.done}/${this.total}]`)} ${label}: ${this.c.red('failed')}: ${e.error}`);
        break;
      case 'skipped':
        this.done += 1;
        this.print(`${this.c.dim(`[${this.done}/${this.total}]`)} ${label}: skipped (${e.reason})`);
        break;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.clearLine();
  }

  private print(line: string): void {
    this.clearLine();
    this.out.write(`${line}\n`);
    this.redraw();
  }

  private clearLine(): void {
    if (this.live && this.lastLine) {
      this.out.write('\r\x1b[2K');
      this.lastLine = '';
    }
  }

  private redraw(): void {
    if (!this.live || this.inFlight.size === 0) return;
    const now = this.clock.now();
    const parts = [...this.inFlight.values()].slice(0, 4).map(({ action, since }) => `${action.node} ${formatDuration(now - since)}`);
    const more = this.inFlight.size > 4 ? ` +${this.inFlight.size - 4}` : '';
    const line = this.c.dim(fit(`Applying ${this.done}/${this.total}: ${parts.join(', ')}${more}`, this.out.columns));
    this.out.write(`\r\x1b[2K${line}`);
    this.lastLine = line;
  }
}
