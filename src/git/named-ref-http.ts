/**
 * Fetching a named ref must not depend on the remote's HEAD. isomorphic-git's fetch resolves the
 * remote HEAD at the end of every fetch (to report the default branch) and fails with "Could not
 * find HEAD" when HEAD is not advertised, which is what git does when HEAD names a branch that
 * does not exist (isomorphic-git issue #1654). navarch never uses that answer when it names the
 * ref, so for such a fetch the ref advertisement is given a HEAD line pointing at the named ref.
 * The fetch of the default branch (no `--ref`) is left alone: there the missing HEAD is the error.
 */
import type { GitHttpResponse, HttpClient } from 'isomorphic-git';

const FLUSH = '0000';

/** The payloads of a pkt-line stream (undefined for a flush), or undefined when it is not one. */
function pktLines(buf: Buffer): Array<string | undefined> | undefined {
  const lines: Array<string | undefined> = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 4 > buf.length) return undefined;
    const len = Number.parseInt(buf.subarray(at, at + 4).toString('latin1'), 16);
    if (!Number.isInteger(len) || (len !== 0 && len < 4) || at + Math.max(len, 4) > buf.length) return undefined;
    lines.push(len === 0 ? undefined : buf.subarray(at + 4, at + len).toString('latin1'));
    at += Math.max(len, 4);
  }
  return lines;
}

function pkt(payload: string): string {
  return (payload.length + 4).toString(16).padStart(4, '0') + payload;
}

/**
 * A protocol v1 upload-pack advertisement with `<oid of ref> HEAD` added when it has no HEAD and
 * does have `ref`; anything else (v2, an empty repository, a missing ref, not a pkt-line stream)
 * comes back unchanged.
 */
export function withHeadAt(advertisement: Buffer, ref: string): Buffer {
  const lines = pktLines(advertisement);
  if (!lines || !lines[0]?.startsWith('# service=git-upload-pack')) return advertisement;
  const refs = new Map<string, string>();
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined) {
      if (refs.size > 0) {
        end = i;
        break;
      }
      continue;
    }
    const entry = (line.split('\0')[0] ?? '').replace(/\n$/, '');
    const space = entry.indexOf(' ');
    if (space > 0) refs.set(entry.slice(space + 1), entry.slice(0, space));
  }
  const oid = refs.get(ref);
  if (end < 0 || refs.has('HEAD') || oid === undefined) return advertisement;
  const encoded = lines.map((l) => (l === undefined ? FLUSH : pkt(l)));
  encoded.splice(end, 0, pkt(`${oid} HEAD\n`));
  return Buffer.from(encoded.join(''), 'latin1');
}

async function readAll(body: AsyncIterableIterator<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* once(buf: Buffer): AsyncIterableIterator<Uint8Array> {
  yield buf;
}

/** An HTTP client for fetching `ref` (a full ref name) that does not trip over a missing remote HEAD. */
export function namedRefHttp(http: HttpClient, ref: string): HttpClient {
  return {
    async request(req): Promise<GitHttpResponse> {
      const res = await http.request(req);
      const advertisement = req.method === 'GET' && req.url.endsWith('/info/refs?service=git-upload-pack');
      if (!advertisement || res.statusCode !== 200 || !res.body) return res;
      return { ...res, body: once(withHeadAt(await readAll(res.body), ref)) };
    },
  };
}
