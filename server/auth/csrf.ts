/**
 * Cross-site request forgery, as pure rules (server/auth/access.ts applies
 * them to every request). No imports: the web client takes CLIENT_HEADER
 * from here through server/wire.ts.
 *
 * A browser sends a cross-origin form post, or a fetch with a "simple" content
 * type (text/plain, multipart/form-data), without asking the server first,
 * and with the user's cookies. Two independent checks stop it:
 * - every state-changing request that says where it comes from (`Origin`, or
 *   `Sec-Fetch-Site` when there is no Origin) must come from this server's
 *   own origin; requests that say nothing (curl, the CLI, scripts) pass;
 * - a state change made with a session must carry CLIENT_HEADER, which a page
 *   on another origin cannot add without a CORS preflight this server never
 *   grants.
 */

/** Methods that change state. GET and HEAD never do here. */
export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The header (and its value) every session-authenticated state change carries; web/src/lib/api.ts sends it on every call. */
export const CLIENT_HEADER = { name: 'x-requested-with', value: 'triage' } as const;

/** `Sec-Fetch-Site` values that mean the request did not come from another site's page. */
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * The origin (`scheme://host[:port]`, default port left out, lower case) the
 * app is served on, from the scheme of the request and its Host header; null
 * when the Host header is missing or is not a plain host and port.
 */
export function ownOrigin(protocol: string, host: string | undefined): string | null {
  // A Host header with a path, credentials or anything else is not a host: trust nothing it says.
  if (!host || !HOST.test(host)) return null;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return null;
  }
}

/** A host name, IPv4 or bracketed IPv6 address, with an optional port. */
const HOST = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/i;

/** `http://Example.com:80` → `http://example.com`; null for `null` (opaque origins) and anything unparsable. */
function normalOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * Why a state-changing request must be refused as coming from another
 * origin, or null when it may go on. `own` is ownOrigin() of the request.
 */
export function crossOriginRefusal(headers: { origin?: string | string[]; 'sec-fetch-site'?: string | string[] }, own: string | null): string | null {
  const { origin } = headers;
  if (origin !== undefined) {
    const from = typeof origin === 'string' ? normalOrigin(origin) : null;
    if (from !== null && from === own) return null;
    return `it comes from ${typeof origin === 'string' ? origin : 'several origins'}, not from this server (${own ?? 'unknown host'})`;
  }
  const site = headers['sec-fetch-site'];
  if (site === undefined || (typeof site === 'string' && OWN_SITE.has(site))) return null;
  return `the browser says it comes from a ${String(site)} page (Sec-Fetch-Site)`;
}
