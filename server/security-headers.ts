import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * The Content-Security-Policy of every answer, the dashboard's above all.
 * Vite's build is one module script and one stylesheet under /assets, and
 * Svelte sets dynamic styles through the CSSOM (`el.style`), which CSP does
 * not govern, so nothing inline is needed: no 'unsafe-inline', no eval.
 * `upgrade-insecure-requests` is left out: the server is often reached over
 * plain http on a local address, where it would break every asset.
 * The printable report brings its own policy (server/reports/html.ts).
 */
export const DASHBOARD_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * @fastify/helmet's settings: the CSP above, no framing at all (CSP
 * frame-ancestors and X-Frame-Options: DENY), no referrer, and helmet's other
 * defaults (X-Content-Type-Options: nosniff, Strict-Transport-Security, which
 * browsers honour only over https, Cross-Origin-Opener-Policy and
 * Cross-Origin-Resource-Policy: same-origin).
 */
export const SECURITY_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: DASHBOARD_CSP },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};
