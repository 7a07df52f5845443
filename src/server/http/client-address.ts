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

/**
 * Behind a load balancer (nginx, an ALB) every peer is the proxy: the client is the last address
 * the proxy appended to `X-Forwarded-For`. Only requests whose peer is one of `proxies` are read
 * that way — anyone else could write the header — and only its last entry (the one the trusted
 * proxy wrote; earlier entries come from the client).
 */
export function forwardedClientAddress(proxies: readonly string[]): (request: Request) => string | undefined {
  const trusted = new Set(proxies);
  return (request) => {
    const peer = clientAddressOf(request);
    if (peer === undefined || !trusted.has(peer)) return peer;
    const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
    return forwarded || peer;
  };
}
