import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../../errors.ts';

/**
 * The server-side request forgery guard for webhooks: an endpoint must not
 * make Triage call into its own network. Addresses that are not public are
 * refused unless the operator allows them (TRIAGE_WEBHOOKS_ALLOW_PRIVATE=1).
 */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');
}

/** Whether an address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4 address mapped into IPv6 is that IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return NOT_PUBLIC.check(mapped[1]!, 'ipv4');
    return NOT_PUBLIC.check(address, 'ipv6');
  }
  return true;
}

/** Checks an endpoint URL as given: http or https, with a host, and no credentials. Returns it parsed. */
export function checkEndpointUrl(text: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('body/url is not a URL', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('body/url must be an http or https URL', { field: 'url' });
  if (url.username || url.password) throw new ValidationError('body/url must not carry a user name or password', { field: 'url' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (isIP(host) ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))) {
    throw new ValidationError(
      `body/url points at a private or loopback address (${host}); webhooks go to public addresses unless the server runs with TRIAGE_WEBHOOKS_ALLOW_PRIVATE=1`,
      { field: 'url' },
    );
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses private addresses after DNS has
 * answered, so a public name that resolves to a private address (or changes
 * to one later: DNS rebinding) is refused when the connection is made.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses;
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address (${refused.address}); refused`);
        e.code = 'EPRIVATEADDRESS';
        return callback(e, '');
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
