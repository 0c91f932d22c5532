import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact } from '../model/index.js';
import { parseRemote, safeUrl } from './auth.js';
import { parseAuthor } from './author.js';

const TOKEN = 'tok_9f8e7d6c5b4a3210';

afterEach(() => clearSecrets());

const basicPassword = (headers: Record<string, string>): string =>
  Buffer.from((headers['Authorization'] ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');

describe('parseRemote', () => {
  it('takes NAVARCH_GIT_TOKEN before GITHUB_TOKEN, as the x-access-token password', () => {
    const both = parseRemote('https://git.example.com/org/fleet.git', { NAVARCH_GIT_TOKEN: TOKEN, GITHUB_TOKEN: 'ghs_other_token_123' });
    expect(both.auth.source).toBe('NAVARCH_GIT_TOKEN');
    expect(basicPassword(both.auth.headers())).toBe(`x-access-token:${TOKEN}`);
    const github = parseRemote('https://git.example.com/org/fleet.git', { GITHUB_TOKEN: TOKEN });
    expect(github.auth.source).toBe('GITHUB_TOKEN');
    expect(parseRemote('https://git.example.com/org/fleet.git', {}).auth.headers()).toEqual({});
  });

  it('uses credentials from the URL, and never shows them', () => {
    const r = parseRemote(`https://bot:${TOKEN}@git.example.com/org/fleet.git`, { NAVARCH_GIT_TOKEN: 'ignored-token' });
    expect(r.url).toBe('https://git.example.com/org/fleet.git');
    expect(r.auth.source).toBe('url');
    expect(basicPassword(r.auth.headers())).toBe(`bot:${TOKEN}`);
  });

  it('registers the token and the header as secrets', () => {
    const r = parseRemote('https://git.example.com/org/fleet.git', { NAVARCH_GIT_TOKEN: TOKEN });
    const header = r.auth.headers()['Authorization'] ?? '';
    expect(redact(`token ${TOKEN} header ${header}`)).not.toContain(TOKEN);
    expect(redact(header)).not.toContain(header.slice(6));
  });

  it('gives a fresh headers object per call (isomorphic-git mutates it)', () => {
    const r = parseRemote('https://git.example.com/x.git', { NAVARCH_GIT_TOKEN: TOKEN });
    const a = r.auth.headers();
    a['Git-Protocol'] = 'version=2';
    expect(r.auth.headers()['Git-Protocol']).toBeUndefined();
  });

  it('refuses what is not an http(s) URL, without echoing credentials', () => {
    expect(() => parseRemote('git@github.com:org/fleet.git', {})).toThrow(/must be an http\(s\) URL/);
    expect(() => parseRemote(`ssh://git:${TOKEN}@example.com/fleet.git`, {})).toThrow(/HTTP\(S\) only/);
    try {
      parseRemote(`ssh://git:${TOKEN}@example.com/fleet.git`, {});
    } catch (err) {
      expect((err as Error).message).not.toContain(TOKEN);
    }
  });
});

describe('safeUrl', () => {
  it('drops user and password, leaves other text alone', () => {
    expect(safeUrl('https://u:p@h.example/x.git')).toBe('https://h.example/x.git');
    expect(safeUrl('https://h.example/x.git')).toBe('https://h.example/x.git');
    expect(safeUrl('not a url u:p@x')).toBe('not a url u:p@x');
  });
});

describe('parseAuthor', () => {
  it('parses Name <email> and defaults to navarch', () => {
    expect(parseAuthor('Fleet Bot <bot@example.com>')).toEqual({ name: 'Fleet Bot', email: 'bot@example.com' });
    expect(parseAuthor(undefined)).toEqual({ name: 'navarch', email: 'navarch@users.noreply.github.com' });
    expect(() => parseAuthor('bot@example.com')).toThrow(/must look like "Name <email@example.com>"/);
  });
});
