/** Builds the fake libnvidia-ml.so.1 (fixtures/fake-nvml.c) with the machine's C compiler, if it has one. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const FAKE_NVML_SOURCE = join(import.meta.dirname, 'fixtures/fake-nvml.c');

/** The compiler on PATH (cc, gcc or clang), or undefined. */
export function compiler(): string | undefined {
  for (const cc of ['cc', 'gcc', 'clang']) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Compiles the fake into `dir`; returns the library's path, or undefined without a compiler. */
export function buildFakeNvml(dir: string): string | undefined {
  const cc = compiler();
  if (!cc) return undefined;
  const out = join(dir, 'libnvidia-ml.so.1');
  execFileSync(cc, ['-shared', '-fPIC', '-O1', '-o', out, FAKE_NVML_SOURCE], { stdio: 'pipe' });
  return out;
}
