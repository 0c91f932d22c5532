/** Where config files come from. A directory today; a git commit can implement the same interface. */
import { open, readdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';

/** Largest config file navarch reads; anything bigger is refused rather than parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Read access to a config repository's files by repo-relative, `/`-separated path. */
export interface ConfigSource {
  /** Absolute path (or URL) of the repository root; the fleet name defaults to its last segment. */
  readonly root: string;
  /** Repo-relative paths of the regular files directly inside `dir` (`''` = the root), sorted. Symbolic links are not listed. */
  list(dir: string): Promise<string[]>;
  /**
   * The file's text, or undefined when it does not exist. Implementations may stop reading after
   * `MAX_FILE_BYTES + 1` bytes: the loader refuses such files by their length.
   */
  read(path: string): Promise<string | undefined>;
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A `ConfigSource` over a directory on disk. Paths escaping the root are treated as absent. */
export function directorySource(root: string): ConfigSource {
  const base = resolve(root);
  const inside = (rel: string): string | undefined => {
    if (isAbsolute(rel)) return undefined;
    const abs = normalize(join(base, rel));
    return abs === base || abs.startsWith(base + sep) ? abs : undefined;
  };
  return {
    root: base,
    async list(dir) {
      const abs = inside(dir);
      if (abs === undefined) return [];
      try {
        const entries = await readdir(abs, { withFileTypes: true });
        return entries
          .filter((e) => e.isFile())
          .map((e) => (dir ? `${dir.replace(/\/+$/, '')}/${e.name}` : e.name))
          .sort();
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
    },
    async read(path) {
      const abs = inside(path);
      if (abs === undefined) return undefined;
      let handle;
      try {
        handle = await open(abs, 'r');
      } catch (err) {
        if (isMissing(err) || (err as { code?: unknown }).code === 'EISDIR') return undefined;
        throw err;
      }
      try {
        // Bounded read: an enormous file costs at most MAX_FILE_BYTES + 1 bytes of memory.
        const { size } = await handle.stat();
        const buf = Buffer.alloc(Math.min(size, MAX_FILE_BYTES) + 1);
        let filled = 0;
        while (filled < buf.length) {
          const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buf.subarray(0, filled).toString('utf8');
      } catch (err) {
        if ((err as { code?: unknown }).code === 'EISDIR') return undefined;
        throw err;
      } finally {
        await handle.close();
      }
    },
  };
}
