import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOneOptions,
} from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isNonPublicAddress } from './address-guard.js';

/** What a refused address says, so the fetch can report it as the guard's doing, not a network fault. */
export class RefusedAddressError extends Error {
  readonly code = 'ERR_FORGE_REFUSED_ADDRESS';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      `${hostname} resolves to ${address}, a private or loopback address; list the feed as local to allow it`,
    );
  }
}

/**
 * A `lookup` for `http.request` that resolves the name and refuses to connect when any address it
 * gets is not public. Checking at connect time (not before the request) is what defeats DNS
 * rebinding: the address checked is the address the socket uses.
 */
export function guardedLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return ((
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: (...args: unknown[]) => void,
  ) => {
    resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const refused = addresses.find((a) => isNonPublicAddress(a.address));
      if (refused) return callback(new RefusedAddressError(hostname, refused.address));
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
      return callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
