/**
 * A bind address as a URL host: IPv6 literals get brackets, and a wildcard address (`0.0.0.0`,
 * `::`), which is no place to send callers, becomes `127.0.0.1`.
 */
export function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
