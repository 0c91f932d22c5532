/**
 * `navarch-agent check`: the boot checks, run once and printed, without a control plane. Exit 0
 * when nothing fails, 1 otherwise; `--json` prints the inventory, the readings and the checks.
 */
import type { Command } from 'commander';
import { silentLogger } from '../../src/log/index.js';
import { bootChecks } from '../boot-checks.js';
import { forceExit, guardedSample, openGpus, type GpuSourceChoice } from '../gpu/index.js';
import { HealthTracker } from '../health/index.js';
import { EXIT, outputFormat, parseDuration, snakeCaseKeys, type OutputOptions } from '../../src/model/index.js';
import type { AgentCliContext } from './context.js';
import { withOutput } from './options.js';
import { gpuOptions } from './run.js';

interface CheckOptions extends OutputOptions {
  gpuSource?: GpuSourceChoice;
  fakeGpus?: string;
  fakeSpec?: string;
  nvmlLib?: string;
  nvidiaSmi?: string;
  sampleTimeout?: string;
  expectGpus?: string;
  dcgm?: 'auto' | 'off';
  dcgmi?: string;
}

export function registerCheck(program: Command, ctx: AgentCliContext): void {
  const cmd = program
    .command('check')
    .description('Run the boot checks once and print the GPUs, their readings and the results.')
    .addHelpText('after', '\nWith --json, prints {"source", "inventory", "failure", "snapshot", "events", "checks"} with snake_case keys.');
  withOutput(gpuOptions(cmd)).action(async (opts: CheckOptions) => {
    const json = outputFormat(opts) === 'json';
    const timeoutMs = parseDuration(opts.sampleTimeout ?? '10s') ?? 10_000;
    const choice: GpuSourceChoice = opts.gpuSource ?? (opts.fakeGpus || opts.fakeSpec ? 'fake' : 'auto');
    const opened = await openGpus({
      choice,
      timeoutMs,
      log: silentLogger,
      ...(opts.nvmlLib ? { nvmlLib: opts.nvmlLib } : {}),
      ...(opts.nvidiaSmi ? { smiBinary: opts.nvidiaSmi } : {}),
      ...(opts.fakeSpec ? { fakeSpecFile: opts.fakeSpec } : {}),
      ...(opts.fakeGpus === undefined ? {} : { fakeGpus: Number(opts.fakeGpus) }),
    });
    const snapshot = await guardedSample(opened.source, timeoutMs + 2000, Date.now);
    if (!opened.inventory && opened.failure) snapshot.failures.unshift(opened.failure);
    const tracker = new HealthTracker(opened.inventory?.gpus.map((g) => g.index) ?? []);
    const first = tracker.observe(snapshot, new Date(snapshot.time).toISOString());
    const expect = opts.expectGpus ?? ctx.env['NAVARCH_EXPECT_GPUS'];
    const checks = await bootChecks({
      gpus: opened,
      firstChecks: first.checks,
      dcgm: opts.dcgm ?? 'auto',
      ...(expect === undefined ? {} : { expectGpus: Number(expect) }),
      ...(opts.dcgmi ? { dcgmiBinary: opts.dcgmi } : {}),
    });
    const wedged = (opened.source as { wedged?: boolean }).wedged === true;
    if (!wedged) await opened.source.close();
    if (json) {
      const doc = { source: opened.source.kind, inventory: opened.inventory ?? null, failure: opened.failure ?? null, snapshot, events: first.events, checks };
      ctx.stdout.write(`${JSON.stringify(snakeCaseKeys(doc), null, 2)}\n`);
    } else {
      const inv = opened.inventory;
      if (inv) {
        ctx.stdout.write(`${inv.gpus.length} GPU(s) through ${inv.source}${inv.driverVersion ? `, driver ${inv.driverVersion}` : ''}${inv.cudaVersion ? `, CUDA ${inv.cudaVersion}` : ''}\n`);
        for (const g of inv.gpus) ctx.stdout.write(`  ${g.index}  ${g.pciBusId}  ${g.name}  ${g.memoryMiB} MiB  ${g.uuid}\n`);
      }
      for (const c of checks) ctx.stdout.write(`${c.status.toUpperCase().padEnd(4)}  ${c.name}: ${c.message}\n`);
    }
    ctx.exitCode = checks.some((c) => c.status === 'fail') ? EXIT.error : EXIT.ok;
    // A read stuck in the driver can never be joined; Node's own exit would wait for it for ever.
    if (wedged) await forceExit(1);
  });
}
