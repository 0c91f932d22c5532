import { describe, expect, it } from 'vitest';
import { isPushEvent, pushNotice, signBody, validSignature, webhookEvent } from './webhook.js';

const SECRET = 'webhook-secret-0123456789';
const body = Buffer.from('{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567"}');

describe('webhook signatures', () => {
  it("accepts the body's own signature, as GitHub computes it", () => {
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    expect(signBody("It's a Secret to Everybody", 'Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(validSignature(SECRET, body, signBody(SECRET, body))).toBe(true);
    expect(validSignature(SECRET, body, signBody(SECRET, body).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it('refuses another secret, another body, and anything not shaped like a signature', () => {
    expect(validSignature(SECRET, body, signBody('another-secret-0123456789', body))).toBe(false);
    expect(validSignature(SECRET, Buffer.concat([body, Buffer.from(' ')]), signBody(SECRET, body))).toBe(false);
    const hex = signBody(SECRET, body).slice('sha256='.length);
    for (const header of [undefined, '', hex, `sha1=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}00`, [signBody(SECRET, body)]]) {
      expect(validSignature(SECRET, body, header)).toBe(false);
    }
  });
});

describe('webhook payloads', () => {
  it('names the event from any host that announces one', () => {
    expect(webhookEvent({ 'x-github-event': 'push' })).toBe('push');
    expect(webhookEvent({ 'x-gitlab-event': 'Push Hook' })).toBe('push hook');
    expect(webhookEvent({})).toBeUndefined();
    expect([undefined, 'push', 'push hook'].every(isPushEvent)).toBe(true);
    expect(isPushEvent('pull_request')).toBe(false);
  });

  it('reads the ref and new head from JSON or form-encoded deliveries, and nothing from garbage', () => {
    const expected = { ref: 'refs/heads/main', after: '0123456789abcdef0123456789abcdef01234567' };
    expect(pushNotice(body, 'application/json')).toEqual(expected);
    const form = Buffer.from(`payload=${encodeURIComponent(body.toString())}`);
    expect(pushNotice(form, 'application/x-www-form-urlencoded')).toEqual(expected);
    expect(pushNotice(Buffer.from('not json'), 'application/json')).toEqual({ ref: undefined, after: undefined });
    expect(pushNotice(Buffer.from('{"ref":"refs/heads/main","after":"HEAD; rm -rf /"}'), undefined)).toEqual({ ref: 'refs/heads/main', after: undefined });
  });
});
