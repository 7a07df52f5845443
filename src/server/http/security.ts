/**
 * Headers on every API and media response: nothing the service sends is ever sniffed, framed,
 * rendered as a page or leaks the referrer. (The demo's HTML pages carry their own, stricter CSP.)
 */
import { secureHeaders } from 'hono/secure-headers';

export const apiSecureHeaders = () =>
  secureHeaders({
    // JSON, media and keys: no page is ever rendered from an API response.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    // Players on allowlisted origins fetch media with CORS; CORP would refuse their no-cors loads
    // (e.g. a native <video src>) for no gain, and COOP is for pages, not API responses.
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginEmbedderPolicy: false,
    // HSTS belongs to the deployment's TLS front (a dev server on http:// must not send it).
    strictTransportSecurity: false,
  });

/**
 * The CSP of Veil's HTML pages (the demo's, the LTI tool's): nothing inline, nothing evaluated,
 * nothing off-origin, workers only from files, Trusted Types for every script sink (lit's policy
 * and a page's narrow `default`); `blob:` for media only (MSE object URLs). Framing and form
 * targets are the page's to name: none by default.
 */
export function pageCsp({ frameAncestors = [], formTargets = [] }: { frameAncestors?: readonly string[]; formTargets?: readonly string[] } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    ["form-action 'self'", ...formTargets].join(' '),
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
    "require-trusted-types-for 'script'",
    'trusted-types lit-html default',
  ].join('; ');
}
