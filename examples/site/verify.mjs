// @ts-check
// Verifies a webhook from Triage the Standard Webhooks way
// (https://www.standardwebhooks.com/): three headers, an HMAC-SHA256 over
// `${webhook-id}.${webhook-timestamp}.${raw body}`, keyed with the bytes of the
// endpoint's secret. Only node:crypto; copy this file into your own site.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the `webhook-timestamp` may be from our clock, either way: 5 minutes. */
export const TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';

/**
 * @typedef {{ get(name: string): string | null }} HeaderGetter
 *   A fetch `Headers` (or anything with `get`).
 * @typedef {Record<string, string | string[] | undefined>} HeaderRecord
 *   Node's `request.headers`: names in lower case.
 * @typedef {{ ok: true, id: string, timestamp: number } | { ok: false, reason: string }} Verification
 *   A verified webhook's id and time (unix seconds), or why it was refused.
 */

/**
 * @param {HeaderGetter | HeaderRecord} headers
 * @param {string} name lower case
 * @returns {string | undefined}
 */
function header(headers, name) {
  if (typeof headers.get === 'function') return /** @type {HeaderGetter} */ (headers).get(name) ?? undefined;
  const value = /** @type {HeaderRecord} */ (headers)[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The HMAC key: the base64 after `whsec_` (a secret without the prefix is
 * taken as the base64 alone, as the reference libraries do).
 * @param {string} secret
 * @returns {Buffer}
 */
function keyOf(secret) {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/**
 * The signature Triage sends for this webhook: `v1,` and the base64 HMAC.
 * Exported for tests and for senders; a receiver only needs verifyWebhook.
 * @param {string} secret `whsec_…`
 * @param {string} id the `webhook-id`
 * @param {number | string} timestamp the `webhook-timestamp`, unix seconds
 * @param {string | Uint8Array} rawBody the body exactly as sent
 * @returns {string}
 */
export function signWebhook(secret, id, timestamp, rawBody) {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest('base64');
  return `v1,${mac}`;
}

/**
 * Checks a webhook before anything in it is believed. Verify the raw body,
 * before any JSON parsing: a re-serialized body is not what was signed.
 *
 * Refuses when a header is missing, the timestamp is not unix seconds or is
 * more than 5 minutes from `now` (either way: a replay of an old webhook,
 * or a clock far off), or no `v1` signature in the space-separated list
 * matches (compared in constant time). Repeats of a verified webhook keep
 * their `webhook-id`: deduplicate on it (the site does, in site.mjs).
 *
 * @param {string} secret the endpoint's secret, `whsec_` and base64
 * @param {HeaderGetter | HeaderRecord} headers the request's headers
 * @param {string | Uint8Array} rawBody the body exactly as received
 * @param {number} [now] the time in milliseconds (default Date.now())
 * @returns {Verification}
 */
export function verifyWebhook(secret, headers, rawBody, now = Date.now()) {
  if (typeof secret !== 'string' || keyOf(secret).length === 0) return { ok: false, reason: 'no webhook secret is configured' };
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id) return { ok: false, reason: 'missing webhook-id header' };
  if (!timestampText) return { ok: false, reason: 'missing webhook-timestamp header' };
  if (!signatures) return { ok: false, reason: 'missing webhook-signature header' };
  if (!/^\d{1,15}$/.test(timestampText)) return { ok: false, reason: 'webhook-timestamp is not unix seconds' };
  const timestamp = Number(timestampText);
  if (Math.abs(now / 1000 - timestamp) > TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is more than 5 minutes off' };

  const expected = Buffer.from(signWebhook(secret, id, timestampText, rawBody));
  for (const signature of signatures.split(' ')) {
    // Other versions (v1a: asymmetric) are skipped; only v1 (HMAC-SHA256) is ours.
    if (!signature.startsWith('v1,')) continue;
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'no signature matches' };
}
