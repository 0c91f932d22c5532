/** `navarch-agent run` (the default command): the agent itself, until SIGTERM or SIGINT. */
import { Option, type Command } from 'commander';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat } from '../../src/log/index.js';
import { COMMON_OPTIONS, systemClock } from '../../src/model/index.js';
import { Agent } from '../agent.js';
import { detectCloud } from '../cloud/index.js';
import { resolveConfig, type AgentConfig, type AgentFlags } from '../config.js';
import { forceExit, openGpus } from '../gpu/index.js';
import { closeIdleSockets } from '../net/http.js';
import { ControlPlaneClient } from '../report/index.js';
import { AGENT_VERSION } from '../version.js';
import { kernelLogSource } from '../xid/index.js';
import type { AgentCliContext } from './context.js';

/** Where the GPUs are read from, worded once for every agent command that reads them. */
export const GPU_SOURCE = { flags: '--gpu-source <source>', description: 'nvml, nvidia-smi, fake, or auto (NVML, falling back to nvidia-smi)' } as const;
export const FAKE_GPUS = { flags: '--fake-gpus <n>', description: 'use the fake GPU source with N GPUs' } as const;

/** Options shared by `run` and `check`: where the GPUs are read from. */
export function gpuOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option(GPU_SOURCE.flags, GPU_SOURCE.description).default(undefined, 'auto'))
    .addOption(new Option(FAKE_GPUS.flags, FAKE_GPUS.description))
    .option('--fake-spec <file>', 'fake GPU spec (JSON, re-read when it changes): GPU count and injected faults')
    .option('--nvml-lib <path>', 'NVML library to load (default libnvidia-ml.so.1)')
    .option('--nvidia-smi <path>', 'nvidia-smi to run for the fallback source')
    .option('--sample-timeout <duration>', 'longest a GPU read may take before it counts as failed (default 10s)')
    .option('--expect-gpus <n>', 'GPUs the instance type has (env NAVARCH_EXPECT_GPUS); a different count fails the boot check')
    .addOption(new Option('--dcgm <mode>', 'run `dcgmi diag -r 1` at boot when DCGM is installed (auto) or never (off)').choices(['auto', 'off']))
    .option('--dcgmi <path>', 'dcgmi to run');
}

export function registerRun(program: Command, ctx: AgentCliContext): void {
  const cmd = program
    .command('run', { isDefault: true })
    .description('Run the agent: report GPU health, XIDs and preemption notices to the control plane.')
    .option('--server <url>', 'control plane URL (env NAVARCH_SERVER)')
    .option('--node-id <name>', 'this node\'s navarch name, e.g. train-3 (env NAVARCH_NODE_ID)')
    .option('--token-file <path>', 'file holding the node token (env NAVARCH_NODE_TOKEN_FILE; or NAVARCH_NODE_TOKEN)');
  gpuOptions(cmd)
    .option('--kmsg <path>', 'kernel log to follow: /dev/kmsg (default) or a file, followed like tail -F')
    .option('--no-kmsg', 'do not follow the kernel log')
    .option('--kmsg-from-start', 'read a --kmsg file from its start rather than its end')
    .option('--journal', 'follow the kernel log through journalctl -k -f instead')
    .option('--journalctl <path>', 'journalctl to run with --journal')
    .addOption(new Option('--cloud <cloud>', 'cloud for spot and preemption notices').choices(['auto', 'aws', 'gcp', 'none']))
    .option('--metadata-url <url>', 'metadata service base URL (default: the cloud\'s own)')
    .option('--spot-poll-interval <duration>', 'how often AWS spot notices are polled (default 5s)')
    .option('--provider-name <name>', "this node's provider, named as in navarch.yaml, sent at registration when the metadata service does not say")
    .option('--instance-id <id>', 'instance id sent at registration (default: from metadata, else the hostname)')
    .option('--instance-type <type>', 'instance type sent at registration')
    .option('--region <region>', 'region sent at registration')
    .option('--zone <zone>', 'zone sent at registration')
    .option('--pool <name>', 'pool sent at registration (env NAVARCH_POOL)')
    .option('--heartbeat-interval <duration>', 'default 30s; when given, the control plane cannot change it')
    .option('--health-interval <duration>', 'default 60s; when given, the control plane cannot change it')
    .option('--command-interval <duration>', 'default 10s; when given, the control plane cannot change it')
    .option('--buffer-size <n>', 'health reports kept while the control plane is unreachable (default 512)')
    .option('--state-dir <dir>', 'keep undelivered reports here across restarts')
    .option('--command-hook <path>', 'executable run as `HOOK cordon|uncordon|drain` for those commands')
    .option('--hook-timeout <duration>', 'longest a command hook may run (default 30m)')
    .option('--terminate-command <cmd>', 'what terminate-self runs (default: shutdown -h +1)')
    .option('--request-timeout <duration>', 'deadline of one request to the control plane (default 10s)')
    .option('--temperature-warn <celsius>', 'GPU temperature that counts as hot (default 85)')
    .addOption(new Option(COMMON_OPTIONS.logLevel.flags, COMMON_OPTIONS.logLevel.description).choices(LOG_LEVELS))
    .addOption(new Option(COMMON_OPTIONS.logFormat.flags, COMMON_OPTIONS.logFormat.description).choices(LOG_FORMATS))
    .addHelpText(
      'after',
      [
        '',
        'The node token is read from NAVARCH_NODE_TOKEN or a file (never from a flag: flags show in ps).',
        '',
        'Example:',
        '  NAVARCH_NODE_TOKEN_FILE=/etc/navarch/node-token navarch-agent --server https://navarch.example.com --node-id train-3',
      ].join('\n'),
    )
    .action(async (flags: AgentFlags & { logLevel?: string; logFormat?: LogFormat }) => {
      const format = flags.logFormat ?? (ctx.stderr.isTTY ? 'text' : 'json');
      const log = createLogger({
        level: flags.logLevel ?? ctx.env['NAVARCH_LOG_LEVEL'] ?? 'info',
        format,
        color: format === 'text' && Boolean(ctx.stderr.isTTY) && !ctx.env['NO_COLOR'],
        destination: ctx.stderr,
      }).child({ component: 'agent' });
      const config = resolveConfig(flags, ctx.env);
      const agent = await startAgent(config, log);
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          // A second signal: stop waiting (past a wedged driver thread too).
          if (agent.wedged) void forceExit(130);
          else process.exit(130);
          return;
        }
        log.info({ signal: sig }, 'stopping');
        controller.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      await agent.run(controller.signal);
      closeIdleSockets();
      log.info('stopped');
      await new Promise<void>((r) => log.flush(() => r()));
      // A thread stuck in the driver cannot be joined, and Node's own exit would wait for it.
      if (agent.wedged) await forceExit(0);
      process.exit(0);
    });
}

async function startAgent(config: AgentConfig, log: ReturnType<typeof createLogger>): Promise<Agent> {
  const clock = systemClock;
  const saved = await Agent.loadState(config, log);
  const client = new ControlPlaneClient({
    server: config.server,
    nodeId: config.nodeId,
    token: config.token,
    timeoutMs: config.requestTimeoutMs,
    userAgent: `navarch-agent/${AGENT_VERSION}`,
  });
  const g = config.gpu;
  const kl = config.kernelLog;
  log.info({ version: AGENT_VERSION, server: config.server, node: config.nodeId, gpuSource: g.choice }, 'navarch agent starting');
  return new Agent(
    config,
    {
      clock,
      log,
      client,
      openGpus: () =>
        openGpus({
          choice: g.choice,
          timeoutMs: g.sampleTimeoutMs,
          log: log.child({ component: 'gpu' }),
          ...(g.nvmlLib ? { nvmlLib: g.nvmlLib } : {}),
          ...(g.smiBinary ? { smiBinary: g.smiBinary } : {}),
          ...(g.fakeSpecFile ? { fakeSpecFile: g.fakeSpecFile } : {}),
          ...(g.fakeGpus === undefined ? {} : { fakeGpus: g.fakeGpus }),
        }),
      detectCloud: () =>
        detectCloud({
          choice: config.cloud.choice,
          timeoutMs: config.cloud.timeoutMs,
          spotPollMs: config.cloud.spotPollMs,
          gcpWaitSec: config.cloud.gcpWaitSec,
          clock,
          log: log.child({ component: 'cloud' }),
          ...(config.cloud.metadataUrl ? { metadataUrl: config.cloud.metadataUrl } : {}),
        }),
      ...(kl
        ? {
            kernelLog: (afterSeq: number | undefined) =>
              kernelLogSource({
                path: kl.path,
                journal: kl.journal,
                fromStart: kl.fromStart,
                pollMs: kl.pollMs,
                log: log.child({ component: 'kernel-log' }),
                ...(kl.journalctl ? { journalctl: kl.journalctl } : {}),
                ...(afterSeq === undefined ? {} : { afterSeq }),
              }),
          }
        : {}),
    },
    saved,
  );
}
