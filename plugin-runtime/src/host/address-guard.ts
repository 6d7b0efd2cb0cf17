import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a plugin may not reach through a host name, whatever the name's DNS answers: the
 * machine itself (loopback, unspecified), link-local (where clouds serve instance metadata and
 * credentials, 169.254.169.254) and multicast. Private networks stay reachable: an ops platform
 * calls internal systems by name. An approved origin written as an IP address, or `localhost`,
 * says where it goes and is not checked.
 */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('127.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addSubnet('224.0.0.0', 4, 'ipv4');
FORBIDDEN.addAddress('::1', 'ipv6');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addSubnet('ff00::', 8, 'ipv6');

/** What makes `address` unreachable through a host name ("a loopback, … address"), or undefined when it may be reached. */
export function forbiddenAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the IPv4 address.
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  const [ip, type] = mapped ? [mapped, 'ipv4' as const] : [address, family === 4 ? 'ipv4' as const : 'ipv6' as const];
  return FORBIDDEN.check(ip, type) ? 'a loopback, link-local or multicast address' : undefined;
}

/** Resolves a host name to all its addresses (the system resolver by default; tests give their own). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

/**
 * A `lookup` for sockets that connects only to checked addresses: the check applies to the very
 * answer the connection uses, so a name that resolves elsewhere on a second lookup (DNS
 * rebinding) gains nothing. Any forbidden answer refuses the name.
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then((addresses) => {
      if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
      if (hostname.toLowerCase() !== 'localhost') {
        for (const a of addresses) {
          const why = forbiddenAddress(a.address);
          if (why) throw Object.assign(new Error(`${hostname} resolves to ${a.address}, ${why}, which plugins may not reach by name`), { code: 'EADDRFORBIDDEN' });
        }
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (options.all) callback(null, wanted);
      else callback(null, wanted[0]?.address ?? addresses[0]!.address, wanted[0]?.family ?? addresses[0]!.family);
    }).catch((err: NodeJS.ErrnoException) => callback(err, '', 0));
  };
}
