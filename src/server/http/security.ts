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
