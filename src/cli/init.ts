/**
 * `navarch init [DIR]`: a new config repository, ready for the GitHub workflows: navarch.yaml, a
 * first pool, a .gitignore for local state, and the plan, apply and drift workflows from
 * examples/github. It refuses to overwrite anything unless told to.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { fleetNameFromRoot } from '../config/index.js';
import { NavarchError } from '../model/index.js';
import type { CliContext } from './context.js';
import { DEFAULT_NODES, initAnswers, type InitAnswers, type InitProvider } from './init-answers.js';
import { withColor, withDir } from './options.js';
import { resolveDir } from './shared.js';

interface InitOptions {
  dir: string;
  provider: string;
  gpu?: string;
  nodes?: string;
  fleet?: string;
  action?: string;
  force?: boolean;
}

/** How the example workflows name the action until someone says which one they use. */
export const ACTION_PLACEHOLDER = '<owner>/navarch@v0';
const WORKFLOWS = ['plan', 'apply', 'drift'] as const;
const NAME = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
/** The schemas of the files a user writes, copied into the repository for editors (see `schemaLine`). */
const SCHEMA_FILES = ['navarch', 'pool', 'job'] as const;

interface Skeleton {
  providers: (region: string) => string;
  secrets: string;
}

const SKELETONS: Record<InitProvider, Skeleton> = {
  fake: {
    providers: () => [
      'providers:',
      '  local:',
      '    type: fake              # navarch\'s embedded fake cloud: no account, no credentials.',
      '    latency: 2s             # Its machines live in .navarch/fake-cloud.json; switch to aws, gcp or lambda',
      '                            # (`navarch init --provider aws` shows how) before relying on the workflows.',
    ].join('\n'),
    secrets: 'none needed for the fake cloud',
  },
  aws: {
    providers: (region) => [
      'providers:',
      '  aws:',
      '    type: aws               # credentials: the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a role...)',
      `    regions: [${region}]`,
      '    ami: ami-0123456789abcdef0          # TODO: a GPU image with the NVIDIA driver, in each region used',
      `    # subnets: { ${region}a: subnet-0123456789abcdef0 }`,
      '    # security_groups: [sg-0123456789abcdef0]',
      '    # key_name: gpu-admins',
      '    # iam_instance_profile: navarch-node',
    ].join('\n'),
    secrets: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an OIDC role with aws-actions/configure-aws-credentials)',
  },
  gcp: {
    providers: (region) => [
      'providers:',
      '  gcp:',
      '    type: gcp               # credentials: Application Default Credentials (google-github-actions/auth in CI)',
      '    project: my-project-123             # TODO: your project id',
      `    regions: [${region}]`,
      '    # network: gpu-vpc',
      '    # service_account: nodes@my-project-123.iam.gserviceaccount.com',
    ].join('\n'),
    secrets: 'a service-account key or workload identity for google-github-actions/auth',
  },
  lambda: {
    providers: (region) => [
      'providers:',
      '  lambda:',
      '    type: lambda            # credentials: LAMBDA_API_KEY',
      '    ssh_key_names: [my-key]             # TODO: an SSH key name registered with Lambda Cloud',
      `    regions: [${region}]`,
    ].join('\n'),
    secrets: 'LAMBDA_API_KEY',
  },
};

/** The provider name each skeleton declares. */
const PROVIDER_NAMES: Record<InitProvider, string> = { fake: 'local', aws: 'aws', gcp: 'gcp', lambda: 'lambda' };

/**
 * The first line of a file init writes: the YAML language server's schema comment, pointing at the
 * copy of the schema init writes into `schemas/` (a path relative to the file). A local copy
 * resolves in any editor, offline, without navarch installed beside the repository, and matches
 * the navarch that wrote it; `navarch init --force` refreshes it after an upgrade.
 */
function schemaLine(file: string, schema: (typeof SCHEMA_FILES)[number]): string {
  const depth = file.split('/').length - 1;
  return `# yaml-language-server: $schema=${'../'.repeat(depth)}schemas/${schema}.schema.json`;
}

function navarchYaml(fleet: string, s: Skeleton, a: InitAnswers): string {
  return [
    schemaLine('navarch.yaml', 'navarch'),
    '# navarch configuration: the clouds your pools run on and fleet-wide settings.',
    '# `navarch validate` checks it; `navarch plan` shows what apply would do.',
    `fleet: ${fleet}                  # every instance is tagged with it; fleets sharing an account never mix`,
    '',
    s.providers(a.shape.region),
    '',
    'safety:',
    '  max_destroy_percent: 50   # a plan destroying more of a pool needs --allow-destroy (allow-destroy in the action)',
    '',
  ].join('\n');
}

function poolYaml(a: InitAnswers): string {
  return [
    schemaLine('pools/example.yaml', 'pool'),
    '# A pool: nodes of one shape, kept between min_nodes and max_nodes. The file name is its name.',
    `provider: ${PROVIDER_NAMES[a.provider]}`,
    `gpu: ${a.shape.gpu}`,
    `gpus: ${a.shape.gpus}`,
    `region: ${a.shape.region}`,
    `min_nodes: ${a.nodes}`,
    `max_nodes: ${a.nodes * 2}`,
    'labels:',
    '  team: research',
    '',
  ].join('\n');
}

/** A file shipped with navarch (examples/…), found from this module in src/ or lib/src/. */
async function packageFile(rel: string): Promise<string> {
  for (const up of ['../../', '../../../']) {
    const url = new URL(`${up}${rel}`, import.meta.url);
    if (existsSync(url)) return readFile(url, 'utf8');
  }
  throw new NavarchError('internal', `${rel} is missing from this navarch installation`);
}

/** Registers `init` on the program. */
export function registerInit(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('init')
    .argument('[dir]', 'directory of the new config repository, created if missing (the same as --dir)')
    .description('Create a config repository: navarch.yaml, a first pool, .gitignore, and GitHub workflows (plan on pull requests, apply on merge, drift checks)')
    .option('--provider <type>', 'the cloud of the first provider: fake (runs anywhere, no account), aws, gcp or lambda', 'fake')
    .option('--gpu <id>', "the first pool's GPU, e.g. h100, a100, l4 (default: h100, l4 on gcp)")
    .option('--nodes <n>', 'nodes the first pool keeps (its min_nodes; max_nodes is twice that)', String(DEFAULT_NODES))
    .option('--fleet <name>', 'fleet name (default: from the directory name)')
    .option('--action <ref>', `the action the workflows use, e.g. acme/navarch@v0 (default: ${ACTION_PLACEHOLDER}, to edit)`)
    .option('--force', 'overwrite files that already exist')
    .addHelpText(
      'after',
      '\nOn a terminal, init asks for the cloud, GPU and pool size the flags do not give; otherwise it takes the defaults.\n' +
        '\nExamples:\n  navarch init fleet-config\n  navarch init --provider aws --gpu h100 --nodes 4 --fleet research --action acme/navarch@v0',
    );
  withColor(withDir(cmd))
    .action(async (dirArg: string | undefined, opts: InitOptions, command: Command) => {
      if (dirArg !== undefined && command.getOptionValueSource('dir') === 'cli' && resolveDir(ctx, dirArg) !== resolveDir(ctx, opts.dir)) {
        throw new NavarchError('cli.invalid', `give the directory once: "${dirArg}" and --dir ${opts.dir} name different directories`);
      }
      const given = (name: 'provider' | 'gpu' | 'nodes'): string | undefined => (command.getOptionValueSource(name) === 'default' ? undefined : opts[name]);
      const answers = await initAnswers(ctx, { provider: given('provider'), gpu: given('gpu'), nodes: given('nodes') });
      const skeleton = SKELETONS[answers.provider];
      const dir = resolveDir(ctx, dirArg ?? opts.dir);
      const fleet = opts.fleet ?? fleetNameFromRoot(dir);
      if (!NAME.test(fleet)) throw new NavarchError('cli.invalid', `--fleet must be lowercase letters, digits and dashes, starting with a letter (at most 32), not "${fleet}"`);
      const action = opts.action ?? ACTION_PLACEHOLDER;
      if (action !== ACTION_PLACEHOLDER && !/^[\w.-]+\/[\w./-]+@[\w./-]+$/.test(action)) throw new NavarchError('cli.invalid', `--action must look like owner/repo@ref, not "${action}"`);

      const files: Record<string, string> = {
        'navarch.yaml': navarchYaml(fleet, skeleton, answers),
        'pools/example.yaml': poolYaml(answers),
      };
      for (const w of WORKFLOWS) files[`.github/workflows/${w}.yml`] = (await packageFile(`examples/github/${w}.yml`)).split(ACTION_PLACEHOLDER).join(action);
      for (const name of SCHEMA_FILES) files[`schemas/${name}.schema.json`] = await packageFile(`schemas/${name}.schema.json`);
      const existing = Object.keys(files).filter((f) => existsSync(join(dir, f)));
      if (existing.length > 0 && !opts.force) {
        throw new NavarchError('cli.exists', `init would overwrite ${existing.join(', ')} in ${dir}; nothing was written. Use --force to overwrite.`);
      }
      // .gitignore is merged rather than replaced: it usually holds lines of its own.
      const ignorePath = join(dir, '.gitignore');
      const ignore = existsSync(ignorePath) ? await readFile(ignorePath, 'utf8') : '';
      if (!ignore.split('\n').some((l) => l.trim() === '.navarch/' || l.trim() === '.navarch')) {
        files['.gitignore'] = `${ignore}${ignore && !ignore.endsWith('\n') ? '\n' : ''}# navarch's local state (the fake cloud, capacity memory)\n.navarch/\n`;
      }
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const shown = relative(ctx.cwd, dir) || '.';
      const steps = [
        `navarch validate --dir ${shown} && navarch plan --dir ${shown}`,
        ...(action === ACTION_PLACEHOLDER ? [`In .github/workflows/*.yml, replace ${ACTION_PLACEHOLDER} with the navarch action you use.`] : []),
        `Add your cloud credentials as repository secrets (${skeleton.secrets}) and uncomment them in the workflows.`,
        'Commit, push to GitHub, and open a pull request that edits pools/example.yaml: its plan appears as a comment; merging applies it.',
      ];
      ctx.stdout.write(
        `Created a navarch config repository in ${shown}:\n${Object.keys(files).map((f) => `  ${f}\n`).join('')}\nNext steps:\n${steps.map((s, i) => `  ${i + 1}. ${s}\n`).join('')}`,
      );
    });
}
