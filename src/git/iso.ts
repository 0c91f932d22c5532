/**
 * isomorphic-git, loaded on first use. Importing it costs about 200 ms, and most commands (plan on a
 * directory, status, gpus, --help) never touch git; every function navarch calls on it is async, so
 * a forwarding object can stand in for the module until then.
 */
import type * as IsoGit from 'isomorphic-git';
import type { HttpClient } from 'isomorphic-git';

type GitModule = typeof IsoGit.default;

let loading: Promise<{ git: GitModule; http: HttpClient }> | undefined;

function load(): Promise<{ git: GitModule; http: HttpClient }> {
  loading ??= Promise.all([import('isomorphic-git'), import('isomorphic-git/http/node')]).then(([g, h]) => ({
    git: g.default,
    http: h.default,
  }));
  return loading;
}

/** Stands in for `import git from 'isomorphic-git'`. */
export const git = new Proxy({} as GitModule, {
  get:
    (_target, name: string) =>
    async (...args: unknown[]): Promise<unknown> => {
      const { git: real } = await load();
      return (real[name as keyof GitModule] as (...a: unknown[]) => Promise<unknown>)(...args);
    },
});

/** Stands in for `import http from 'isomorphic-git/http/node'`. */
export const http: HttpClient = {
  request: async (req) => (await load()).http.request(req),
};
