/**
 * Static assets of the dev IdP, served from `<mount>/assets/*` so that every page works under
 * `style-src 'self'; script-src 'self'` (no inline style or script anywhere).
 */

export const IDP_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
.card { width: min(26rem, 92vw); padding: 1.5rem 1.75rem; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 0.75rem; }
.brand { margin: 0 0 0.5rem; font-size: 0.8rem; letter-spacing: 0.08em; text-transform: uppercase; opacity: 0.7; }
h1 { margin: 0 0 1rem; font-size: 1.35rem; }
form { display: grid; gap: 0.75rem; }
label { display: grid; gap: 0.25rem; font-size: 0.9rem; }
input { font: inherit; padding: 0.5rem 0.6rem; border-radius: 0.4rem; border: 1px solid color-mix(in srgb, CanvasText 35%, transparent); }
button { font: inherit; padding: 0.55rem 0.9rem; border-radius: 0.4rem; border: 0; cursor: pointer; background: #3454d1; color: #fff; }
button.secondary { background: transparent; color: inherit; border: 1px solid color-mix(in srgb, CanvasText 35%, transparent); }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
.error { margin: 0 0 1rem; padding: 0.6rem 0.75rem; border-radius: 0.4rem; background: #fde8e8; color: #8a1111; }
.hint { font-size: 0.85rem; opacity: 0.75; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
`;

/**
 * Replaces oidc-provider's inline auto-submit script on its form_post pages (used by
 * `response_mode=form_post` and by end-session without a session): same behaviour, external file.
 */
export const FORM_POST_JS = `document.addEventListener('DOMContentLoaded', function () {
  var form = document.forms[0];
  if (form) form.submit();
});
`;
