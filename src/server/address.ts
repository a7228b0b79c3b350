import { rokvError } from '../errors.js';

/** The flags that choose an address, for the advice in a listen failure. */
export interface AddressFlags {
  port: string;
  host: string;
}

/**
 * Explains a failed listen in one line that says what to do: port in use, a privileged port,
 * an address this machine does not have. Other errors pass through unchanged.
 */
export function listenError(err: unknown, host: string, port: number, flags: AddressFlags): unknown {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const why = (() => {
    switch ((err as NodeJS.ErrnoException).code) {
      case 'EADDRINUSE':
        return `the port is already in use; stop what listens there or choose another ${flags.port}`;
      case 'EACCES':
        return port < 1024
          ? `permission denied: ports below 1024 need root (or CAP_NET_BIND_SERVICE); choose a port of 1024 or more with ${flags.port}`
          : `permission denied; choose another ${flags.port}`;
      case 'EADDRNOTAVAIL':
        return `${host} is not an address of this machine; check ${flags.host}`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `the host name ${host} cannot be resolved; check ${flags.host}`;
      default:
        return undefined;
    }
  })();
  return why === undefined ? err : rokvError('LISTEN_FAILED', address, why).withCause(err);
}

/** `http://0.0.0.0:8080`, `https://[::1]:8443`: the address a socket is bound to, as a URL. */
export function boundUrl(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where a browser on this machine finds the API docs of a server bound at `url`: localhost for a wildcard address. */
export function docsUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = 'localhost';
  return `${u.origin}/docs`;
}
