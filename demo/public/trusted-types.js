// The demo page's Trusted Types default policy (the CSP requires Trusted Types for scripts).
// hls.js builds its worker from a plain string URL; this allows exactly the worker file the page
// serves and refuses every other script URL. lit brings its own policy for its templates.
if (window.trustedTypes && window.trustedTypes.createPolicy) {
  window.trustedTypes.createPolicy('default', {
    createScriptURL(url) {
      const parsed = new URL(url, location.href);
      return parsed.origin === location.origin && parsed.pathname === '/veil/hls.worker.js' ? parsed.href : null;
    },
  });
}
