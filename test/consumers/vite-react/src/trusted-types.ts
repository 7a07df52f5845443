// The page enforces Trusted Types; hls.js builds its worker from a plain string URL, so a default
// policy admits exactly that one file and refuses every other script URL.
// TypeScript's DOM library has no Trusted Types yet: the one call this page makes.
declare global {
  interface Window {
    trustedTypes?: { createPolicy(name: string, rules: { createScriptURL(url: string): string | null }): unknown };
  }
}

export function admitScriptUrl(allowed: string): void {
  const wanted = new URL(allowed, location.href).href;
  window.trustedTypes?.createPolicy('default', {
    createScriptURL: (url: string) => (new URL(url, location.href).href === wanted ? url : null),
  });
}
