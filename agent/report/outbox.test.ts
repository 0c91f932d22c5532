import { describe, expect, it } from 'vitest';
import type { HealthEvent, HealthReport } from '../../src/model/index.js';
import { Outbox, SUMMARY_CHECK } from './outbox.js';

const t = (i: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
const xid = (i: number, n: number): HealthEvent => ({ kind: 'xid', time: t(i), xid: n, gpu: 0, message: `#${i}` });
const thermal = (i: number): HealthEvent => ({ kind: 'thermal', time: t(i), gpu: 1, temperatureC: 80 + i, throttleReasons: [] });
const report = (i: number, events: HealthEvent[] = []): HealthReport => ({
  id: `boot-${i}`,
  seq: i,
  time: t(i),
  checks: [{ name: 'gpu-readings', status: 'pass', message: `look ${i}` }],
  events,
});

describe('Outbox', () => {
  it('keeps reports in order and removes only the head', () => {
    const o = new Outbox({ capacity: 10 });
    o.push(report(1));
    o.push(report(2));
    o.shift('boot-2'); // not the head: ignored
    expect(o.peek()?.id).toBe('boot-1');
    o.shift('boot-1');
    expect(o.peek()?.id).toBe('boot-2');
    expect(o.size).toBe(1);
  });

  it('when full, merges all but the head and the newest; urgent events survive in order', () => {
    const changes: number[] = [];
    const o = new Outbox({ capacity: 4, onChange: (e) => changes.push(e.length) });
    for (let i = 1; i <= 5; i++) o.push(report(i, [xid(i, i % 2 ? 79 : 13), thermal(i)]));
    const ids = o.all().map((e) => e.report.id);
    expect(ids).toEqual(['boot-1', 'boot-2', 'boot-5']);
    const summary = o.all()[1]!;
    expect(summary.report.seq).toBe(2); // in the place of the first report it stands for
    // XID 79 (fatal) at 3 kept; XID 13 of 2 and 4: the latest kept; thermal: the latest kept.
    expect(summary.report.events.map((e) => (e.kind === 'xid' ? `xid${e.xid}#${e.message.slice(1)}` : `${e.kind}${e.time.slice(17, 19)}`))).toEqual([
      'xid79#3',
      'xid13#4',
      'thermal04',
    ]);
    expect(summary.merged).toMatchObject({ reports: 3, droppedEvents: 3, byKind: { xid: 1, thermal: 2 } });
    const check = summary.report.checks.find((c) => c.name === SUMMARY_CHECK);
    expect(check?.status).toBe('warn');
    expect(check?.message).toContain('3 reports from 2026-01-01T00:00:02.000Z to 2026-01-01T00:00:04.000Z');
    expect(check?.message).toContain('3 earlier events were dropped (2 thermal, 1 xid)');
    expect(summary.report.checks.find((c) => c.name === 'gpu-readings')?.message).toBe('look 4'); // the latest state
    expect(changes.at(-1)).toBe(3);
  });

  it('folds a summary into the next one, adding up what it stands for', () => {
    const o = new Outbox({ capacity: 3 });
    for (let i = 1; i <= 9; i++) o.push(report(i, [xid(i, 79), thermal(i)]));
    expect(o.size).toBe(3);
    const summary = o.all()[1]!;
    expect(summary.report.id).toBe('boot-2');
    expect(summary.merged?.reports).toBe(7);
    expect(summary.report.events.filter((e) => e.kind === 'xid').map((e) => (e as { message: string }).message)).toEqual(['#2', '#3', '#4', '#5', '#6', '#7', '#8']);
    expect(summary.report.events.filter((e) => e.kind === 'thermal')).toHaveLength(1);
    expect(summary.merged?.droppedEvents).toBe(6);
  });

  it('caps a summary in an event storm: the first and the latest are kept, the middle counted', () => {
    const o = new Outbox({ capacity: 3, maxSummaryEvents: 4 });
    for (let i = 1; i <= 10; i++) o.push(report(i, [xid(i, 79)]));
    const summary = o.all()[1]!;
    expect(summary.report.events.map((e) => (e as { message: string }).message)).toEqual(['#2', '#3', '#8', '#9']);
    expect(summary.merged?.droppedEvents).toBe(4);
  });

  it('starts from saved entries', () => {
    const o = new Outbox({ capacity: 5 }, [{ report: report(1) }, { report: report(2) }]);
    expect(o.peek()?.id).toBe('boot-1');
    expect(o.size).toBe(2);
  });
});
