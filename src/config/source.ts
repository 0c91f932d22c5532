/** Where config files come from. A directory today; a git commit can implement the same interface. */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { NavarchError } from '../model/index.js';

/** Largest config file navarch reads; anything bigger is refused rather than parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Read access to a config repository's files by repo-relative, `/`-separated path. */
export interface ConfigSource {
  /** Absolute path (or URL) of the repository root; the fleet name defaults to its last segment. */
  readonly root: string;
  /**
   * Repo-relative paths of every entry directly inside `dir` (`''` = the root), sorted: files,
   * symbolic links, directories and anything else, so that what cannot be read is refused by
   * name rather than skipped. A `dir` that is not there lists nothing.
   */
  list(dir: string): Promise<string[]>;
  /**
   * The file's text, or undefined when nothing is there. A symbolic link is followed when it
   * resolves inside the repository. Anything else at the path (a link that leaves the repository
   * or leads nowhere, a directory, a FIFO, a device) throws `SourceFileError`. Implementations may
   * stop reading after `MAX_FILE_BYTES + 1` bytes: the loader refuses such files by their length.
   */
  read(path: string): Promise<string | undefined>;
  /** What to tell a user when the repository has no navarch.yaml: where it was looked for, and how to start one. */
  missingRoot?(): string;
}

/** The reason given for a directory where a file was asked for, the same from every source. */
export const IS_DIRECTORY = 'is a directory, not a file';

/** A path of the repository that is there but is not a file navarch can read; `reason` says why. */
export class SourceFileError extends NavarchError {
  /** The repo-relative path. */
  readonly file: string;
  /** Why it cannot be read, as a sentence about the file (e.g. `is a directory, not a file`). */
  readonly reason: string;
  constructor(file: string, reason: string) {
    super('config.file', `${file} ${reason}`, { details: { file } });
    this.file = file;
    this.reason = reason;
  }
}

/** The reason a link that leaves the repository is refused, shared by every source. */
export function leavesRepository(link: string, target: string, file: string): string {
  const what = link === file ? 'is a symbolic link' : `is reached through the symbolic link ${link}`;
  return `${what} to ${target}, which leaves the repository; only links that resolve inside it are followed`;
}

/** Throws naming what is wrong when `dir` is not an existing directory (a command's `--dir`). */
export async function checkDirectory(dir: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (err) {
    if (isMissing(err)) throw new NavarchError('config.directory', `directory ${dir} does not exist`, { cause: err });
    throw err;
  }
  if (!info.isDirectory()) throw new NavarchError('config.directory', `${dir} is a file, not a directory`);
}

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function isMissing(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Why an entry that is not a regular file cannot be read; undefined for a regular file. */
function notAFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return IS_DIRECTORY;
  if (info.isFIFO()) return 'is a named pipe (FIFO), not a file';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'is a device, not a file';
  if (info.isSocket()) return 'is a socket, not a file';
  return 'is not a regular file';
}

/** Reads a directory's files by repo-relative path, by the rules every source follows (links inside only, regular files only). */
function diskReader(root: string) {
  const base = resolve(root);
  // The root is checked once, on first use: a missing directory or a file is named as such.
  let realRoot: Promise<string> | undefined;
  const checkedRoot = (): Promise<string> => (realRoot ??= checkDirectory(base).then(() => realpath(base)));
  const inside = (rel: string): string | undefined => {
    if (isAbsolute(rel)) return undefined;
    const abs = normalize(join(base, rel));
    return abs === base || abs.startsWith(base + sep) ? abs : undefined;
  };

  /** The real path of `rel` when it is inside the repository, undefined when nothing is there; throws for a link that leaves it or leads nowhere. */
  const resolveInside = async (rel: string): Promise<string | undefined> => {
    const top = await checkedRoot();
    const abs = inside(rel);
    if (abs === undefined) return undefined;
    let own: Stats;
    try {
      own = await lstat(abs);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const target = own.isSymbolicLink() ? await readlink(abs) : undefined;
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      if (codeOf(err) === 'ELOOP') throw new SourceFileError(rel, 'is a symbolic link that loops back on itself');
      if (isMissing(err) && target !== undefined) throw new SourceFileError(rel, `is a symbolic link to ${target}, which does not exist`);
      if (isMissing(err)) return undefined;
      throw err;
    }
    if (real !== top && !real.startsWith(top + sep)) {
      throw new SourceFileError(rel, target !== undefined ? leavesRepository(rel, target, rel) : `resolves to ${real} through a symbolic link, outside the repository`);
    }
    return real;
  };

  return {
    base,
    async list(dir: string): Promise<string[]> {
      const real = await resolveInside(dir || '.');
      if (real === undefined) return [];
      try {
        const names = await readdir(real);
        return names.map((name) => (dir ? `${dir.replace(/\/+$/, '')}/${name}` : name)).sort();
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
    },
    /** At most `limit + 1` bytes of the file, or undefined when nothing is there. */
    async read(path: string, limit: number): Promise<string | undefined> {
      const real = await resolveInside(path);
      if (real === undefined) return undefined;
      // Decided before opening: a FIFO is never opened (that could block), nor a device.
      const why = notAFile(await stat(real));
      if (why) throw new SourceFileError(path, why);
      // O_NONBLOCK: should the file be swapped for a FIFO meanwhile, opening it still cannot hang.
      const handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      try {
        const info = await handle.stat();
        const swapped = notAFile(info);
        if (swapped) throw new SourceFileError(path, swapped);
        // Bounded read: an enormous file costs at most limit + 1 bytes of memory.
        const buf = Buffer.alloc(Math.min(info.size, limit) + 1);
        let filled = 0;
        while (filled < buf.length) {
          const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buf.subarray(0, filled).toString('utf8');
      } finally {
        await handle.close();
      }
    },
  };
}

/** A `ConfigSource` over a directory on disk. Paths escaping the root are treated as absent. */
export function directorySource(root: string): ConfigSource {
  const disk = diskReader(root);
  return {
    root: disk.base,
    missingRoot: () => `no navarch.yaml in ${disk.base}; run \`navarch init ${disk.base}\` to start one`,
    list: (dir) => disk.list(dir),
    read: (path) => disk.read(path, MAX_FILE_BYTES),
  };
}

/** Largest status file read from disk (a status is machine-written and may outgrow a config file). */
const MAX_STATUS_BYTES = 64 * 1024 * 1024;

/**
 * The whole text of a file of the repository at `root` that is not config (the status file), or
 * undefined when there is none: refused like a config file when it is a link that leaves the
 * repository, a directory, a FIFO or a device.
 */
export async function readRepositoryFile(root: string, path: string): Promise<string | undefined> {
  const text = await diskReader(root).read(path, MAX_STATUS_BYTES);
  if (text !== undefined && Buffer.byteLength(text) > MAX_STATUS_BYTES) throw new SourceFileError(path, `is larger than ${MAX_STATUS_BYTES / 1024 / 1024} MiB`);
  return text;
}
