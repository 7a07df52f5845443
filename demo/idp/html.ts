/**
 * A tiny HTML tagged template: every interpolated value is escaped unless it is itself the result
 * of `html` (or an array of such results). No inline script or style ever comes out of here: the
 * pages are served under a strict Content-Security-Policy.
 */

export class SafeHtml {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * The CSP of the dev IdP's HTML pages. `form-action` also binds the redirects that follow a form
 * post, so the sign-in and sign-out forms list the origins their redirects may go to (pages on
 * `VEIL_ALLOWED_ORIGINS`) besides the IdP's own.
 */
export function idpCsp(formTargets: readonly string[] = []): string {
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action ${["'self'", ...formTargets].join(' ')}; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'`;
}

/** The CSP every other HTML page of the dev IdP is served with. */
export const IDP_CSP = idpCsp();

export interface PageOptions {
  title: string;
  assetsPath: string;
  body: SafeHtml;
}

export function page({ title, assetsPath, body }: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Veil dev IdP</title>
<link rel="stylesheet" href="${assetsPath}/idp.css">
</head>
<body>
<main class="card">
<p class="brand">Veil dev IdP</p>
${body}
</main>
</body>
</html>
`.toString();
}
