import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/): the
 * secret is `whsec_` + base64 of the key; each delivery is signed over
 * `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256, sent as
 * `webhook-signature: v1,<base64>`.
 */
export const SECRET_PREFIX = 'whsec_';

/** How far a receiver should trust a timestamp: the spec's recommended tolerance. */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/** The `webhook-signature` header value for one attempt. */
export function sign(secret: string, id: string, timestampS: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
}

/** What a receiver does (tests use it): true when a signature matches and the timestamp is recent. */
export function verify(secret: string, headers: { id: string; timestamp: string; signature: string }, body: string, nowS = Math.floor(Date.now() / 1000)): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > TIMESTAMP_TOLERANCE_S) return false;
  const expected = Buffer.from(sign(secret, headers.id, ts, body).slice(3), 'base64');
  return headers.signature.split(' ').some((s) => {
    const [version, value] = s.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
