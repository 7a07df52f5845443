// The page enforces Trusted Types; hls.js builds its worker from a plain string URL, so a default
// policy admits exactly that one file and refuses every other script URL.
if (window.trustedTypes && window.trustedTypes.createPolicy) {
  window.trustedTypes.createPolicy('default', {
    createScriptURL(url) {
      const parsed = new URL(url, location.href);
      return parsed.origin === location.origin && parsed.pathname === '/veil/hls.worker.js' ? parsed.href : null;
    },
  });
}
