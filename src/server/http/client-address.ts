/**
 * The client's network address, as the transport saw it: the Node adapter records the peer address
 * of each request here; the service reads it for per-client limits. A WeakMap keyed by the
 * `Request` itself, so nothing a client sends (no header) can set or change it.
 */
const addresses = new WeakMap<Request, string>();

export function setClientAddress(request: Request, address: string): void {
  addresses.set(request, address);
}

export function clientAddressOf(request: Request): string | undefined {
  return addresses.get(request);
}
