/** The ref advertisement gets a HEAD only when it lacks one and has the named ref. */
import { describe, expect, it } from 'vitest';
import { withHeadAt } from './named-ref-http.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const pkt = (s: string): string => (s.length + 4).toString(16).padStart(4, '0') + s;
const ad = (...refs: string[]): Buffer =>
  Buffer.from(pkt('# service=git-upload-pack\n') + '0000' + refs.map((r, i) => pkt(i === 0 ? `${r}\0multi_ack ofs-delta\n` : `${r}\n`)).join('') + '0000', 'latin1');

describe('withHeadAt', () => {
  it('adds HEAD at the named ref when the advertisement has none', () => {
    const out = withHeadAt(ad(`${A} refs/heads/main`, `${B} refs/heads/dev`), 'refs/heads/dev');
    expect(out.toString('latin1')).toBe(ad(`${A} refs/heads/main`, `${B} refs/heads/dev`, `${B} HEAD`).toString('latin1'));
  });

  it('leaves an advertisement alone when it has HEAD, lacks the ref, has no refs, or is not v1', () => {
    const withHead = ad(`${A} HEAD`, `${A} refs/heads/main`);
    expect(withHeadAt(withHead, 'refs/heads/main')).toBe(withHead);
    const noRef = ad(`${A} refs/heads/main`);
    expect(withHeadAt(noRef, 'refs/heads/dev')).toBe(noRef);
    const empty = Buffer.from(pkt('# service=git-upload-pack\n') + '0000' + '0000', 'latin1');
    expect(withHeadAt(empty, 'refs/heads/main')).toBe(empty);
    const v2 = Buffer.from(pkt('version 2\n') + pkt('ls-refs\n') + '0000', 'latin1');
    expect(withHeadAt(v2, 'refs/heads/main')).toBe(v2);
    const garbage = Buffer.from('zzzz not pkt-lines', 'latin1');
    expect(withHeadAt(garbage, 'refs/heads/main')).toBe(garbage);
  });
});
