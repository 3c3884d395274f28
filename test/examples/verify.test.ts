/**
 * The example site's webhook check (examples/site/verify.mjs), against
 * signatures made here with node:crypto from the Standard Webhooks spec
 * (https://www.standardwebhooks.com/), and against the spec's own vector.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../examples/site/verify.mjs';

const key = randomBytes(32);
const secret = `whsec_${key.toString('base64')}`;
const id = 'msg_2bQ6bXgD1yMj5JfK0qVhN3';
const nowMs = 1_800_000_000_000;
const timestamp = nowMs / 1000;
const body = JSON.stringify({ type: 'comment.decided', timestamp: '2027-01-15T08:00:00.000Z', data: { comment: { id: 'c1' } } });

/** The spec: base64 HMAC-SHA256, keyed with the secret's bytes, of `${id}.${timestamp}.${body}`. */
function sign(withKey: Buffer, signedId: string, signedAt: number, signedBody: string): string {
  return `v1,${createHmac('sha256', withKey).update(`${signedId}.${signedAt}.${signedBody}`).digest('base64')}`;
}

function headers(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(key, id, timestamp, body), ...overrides };
}

describe('verifyWebhook', () => {
  it('accepts a correctly signed body, from a Headers object too, and gives its id and time', () => {
    expect(verifyWebhook(secret, headers(), body, nowMs)).toEqual({ ok: true, id, timestamp });
    expect(verifyWebhook(secret, headers(), Buffer.from(body), nowMs)).toMatchObject({ ok: true });
    expect(verifyWebhook(secret, new Headers(headers() as Record<string, string>), body, nowMs)).toMatchObject({ ok: true });
  });

  it('reproduces and accepts the Standard Webhooks test vector', () => {
    // From the spec's reference libraries (standard-webhooks/standard-webhooks,
    // libraries/javascript/src/webhook.test.ts, "sign function works").
    const vector = {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    expect(signWebhook(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
    const signed = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature };
    expect(verifyWebhook(vector.secret, signed, vector.body, vector.timestamp * 1000)).toMatchObject({ ok: true });
    expect(verifyWebhook(vector.secret, signed, vector.body, (vector.timestamp + 301) * 1000)).toMatchObject({ ok: false });
  });

  it('rejects a tampered body, and a signature over another id or time', () => {
    expect(verifyWebhook(secret, headers(), body.replace('c1', 'c2'), nowMs)).toEqual({ ok: false, reason: 'no signature matches' });
    expect(verifyWebhook(secret, headers(), `${body} `, nowMs)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, headers({ 'webhook-id': 'msg_other' }), body, nowMs)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, headers({ 'webhook-timestamp': String(timestamp + 1) }), body, nowMs)).toMatchObject({ ok: false });
  });

  it('rejects a wrong secret', () => {
    expect(verifyWebhook(`whsec_${randomBytes(32).toString('base64')}`, headers(), body, nowMs)).toEqual({ ok: false, reason: 'no signature matches' });
    // The secret's text is not the key: the base64 after whsec_ is.
    const textKeyed = sign(Buffer.from(secret), id, timestamp, body);
    expect(verifyWebhook(secret, headers({ 'webhook-signature': textKeyed }), body, nowMs)).toMatchObject({ ok: false });
    expect(verifyWebhook('', headers(), body, nowMs)).toEqual({ ok: false, reason: 'no webhook secret is configured' });
  });

  it('rejects a timestamp more than 5 minutes off, either way, even when correctly signed', () => {
    for (const offset of [-301, 301, -3600]) {
      const at = timestamp + offset;
      const signed = headers({ 'webhook-timestamp': String(at), 'webhook-signature': sign(key, id, at, body) });
      expect(verifyWebhook(secret, signed, body, nowMs)).toEqual({ ok: false, reason: 'webhook-timestamp is more than 5 minutes off' });
    }
    for (const offset of [-300, 300]) {
      const at = timestamp + offset;
      const signed = headers({ 'webhook-timestamp': String(at), 'webhook-signature': sign(key, id, at, body) });
      expect(verifyWebhook(secret, signed, body, nowMs)).toMatchObject({ ok: true });
    }
    expect(verifyWebhook(secret, headers({ 'webhook-timestamp': '1.8e9' }), body, nowMs)).toEqual({ ok: false, reason: 'webhook-timestamp is not unix seconds' });
  });

  it('rejects a missing header', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(verifyWebhook(secret, headers({ [name]: undefined }), body, nowMs)).toEqual({ ok: false, reason: `missing ${name} header` });
    }
  });

  it('accepts when one of several signatures matches (a secret being rotated), and ignores other versions', () => {
    const good = sign(key, id, timestamp, body);
    const other = sign(randomBytes(32), id, timestamp, body);
    expect(verifyWebhook(secret, headers({ 'webhook-signature': `${other} v1a,${good.slice(3)} ${good}` }), body, nowMs)).toMatchObject({ ok: true });
    // The right MAC under another version, or cut short, does not count.
    expect(verifyWebhook(secret, headers({ 'webhook-signature': `${other} v2,${good.slice(3)}` }), body, nowMs)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, headers({ 'webhook-signature': good.slice(0, 20) }), body, nowMs)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, headers({ 'webhook-signature': 'v1,' }), body, nowMs)).toMatchObject({ ok: false });
  });
});
