/**
 * Checks run once at start and sent with registration, before the node counts as capacity: a
 * driver answers, every GPU the instance type promises is there and answers, the first readings
 * are healthy, and DCGM's quick diagnostic passes where DCGM is installed.
 */
import type { CheckResult } from '../src/model/index.js';
import type { OpenedGpus } from './gpu/index.js';
import { dcgmiPath, runDiag, type DiagResult } from './diag.js';

export interface BootCheckInput {
  gpus: OpenedGpus;
  /** The checks of the first GPU snapshot (readings, ECC, memory repair, thermal, NVLink). */
  firstChecks: CheckResult[];
  /** GPUs the instance type has, when known. */
  expectGpus?: number;
  /** `auto`: run `dcgmi diag -r 1` when dcgmi is installed; `off`: never. */
  dcgm: 'auto' | 'off';
  dcgmiBinary?: string;
  /** Replaceable for tests. */
  diag?: (binary: string, level: number) => Promise<DiagResult>;
}

export async function bootChecks(input: BootCheckInput): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const inv = input.gpus.inventory;
  if (!inv) {
    const tried = input.gpus.attempts ?? (input.gpus.failure ? [{ kind: input.gpus.source.kind, failure: input.gpus.failure }] : []);
    const why = tried.map((a) => `${a.kind}: ${a.failure.error}`).join('; ');
    checks.push({ name: 'driver', status: 'fail', message: `no GPU source could read the GPUs${why ? ` (${why})` : ''}` });
  } else {
    const versions = [inv.driverVersion && `driver ${inv.driverVersion}`, inv.cudaVersion && `CUDA ${inv.cudaVersion}`].filter(Boolean).join(', ');
    checks.push({ name: 'driver', status: 'pass', message: `${versions || 'driver answered'} (read through ${inv.source})` });
  }

  const found = inv?.gpus.length ?? 0;
  if (input.expectGpus !== undefined) {
    checks.push(
      found === input.expectGpus
        ? { name: 'gpu-count', status: 'pass', message: `${found} GPUs, as the instance type promises` }
        : { name: 'gpu-count', status: 'fail', message: `found ${found} GPUs; the instance type promises ${input.expectGpus}` },
    );
  } else {
    checks.push(
      found > 0
        ? { name: 'gpu-count', status: 'pass', message: `${found} GPU${found === 1 ? '' : 's'} found (no expected count given)` }
        : { name: 'gpu-count', status: 'fail', message: 'no GPUs found' },
    );
  }

  if (inv && inv.failures.length > 0) {
    checks.push({
      name: 'gpu-inventory',
      status: 'fail',
      message: inv.failures.map((f) => `${f.gpu === undefined ? 'driver' : `GPU ${f.gpu}`}: ${f.call}: ${f.error}`).join('; '),
    });
  }
  checks.push(...input.firstChecks);

  if (input.dcgm === 'auto') {
    const binary = dcgmiPath(input.dcgmiBinary);
    if (binary) {
      const r = await (input.diag ?? runDiag)(binary, 1);
      checks.push({ name: 'dcgm-diag', status: r.passed ? 'pass' : 'fail', message: r.message });
    }
  }
  return checks;
}
