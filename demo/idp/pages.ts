/**
 * The dev IdP's own pages: sign-in, errors, sign-out confirmation and success. Text only, every
 * value escaped, no inline script or style (served with `IDP_CSP`).
 */
import { html, page, type SafeHtml } from './html.js';

export interface LoginPageOptions {
  assetsPath: string;
  action: string;
  abortAction: string;
  clientName: string;
  login?: string;
  error?: string;
}

export function loginPage(options: LoginPageOptions): string {
  const error = options.error ? html`<p class="error" role="alert">${options.error}</p>` : '';
  return page({
    title: 'Sign in',
    assetsPath: options.assetsPath,
    body: html`<h1>Sign in</h1>
<p class="hint">to continue to ${options.clientName}</p>
${error}<form method="post" action="${options.action}" autocomplete="off">
<label>Email <input type="email" name="login" value="${options.login ?? ''}" required autofocus autocomplete="username"></label>
<label>Password <input type="password" name="password" required autocomplete="current-password"></label>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
<form method="post" action="${options.abortAction}" class="abort">
<div class="actions"><button type="submit" class="secondary">Cancel</button></div>
</form>
<p class="hint">Dev users: alice@acme.test, bob@acme.test, mallory@globex.test (password veil-demo).</p>`,
  });
}

export function messagePage(assetsPath: string, title: string, body: SafeHtml): string {
  return page({ title, assetsPath, body: html`<h1>${title}</h1>${body}` });
}

export function errorPage(assetsPath: string, fields: Record<string, unknown>): string {
  const rows = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => html`<dt>${key}</dt><dd>${String(value)}</dd>`);
  return messagePage(assetsPath, 'Something went wrong', html`<dl>${rows}</dl>`);
}

export interface LogoutPageOptions {
  assetsPath: string;
  action: string;
  xsrf: string;
  host: string;
}

/** RP-initiated logout confirmation: a plain form, both buttons submit it (no script needed). */
export function logoutPage(options: LogoutPageOptions): string {
  return messagePage(
    options.assetsPath,
    'Sign out',
    html`<p>Do you want to sign out of ${options.host}?</p>
<form id="op.logoutForm" method="post" action="${options.action}">
<input type="hidden" name="xsrf" value="${options.xsrf}">
<div class="actions">
<button type="submit" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" class="secondary">No, stay signed in</button>
</div>
</form>`,
  );
}

export function logoutSuccessPage(assetsPath: string, clientName: string | undefined): string {
  return messagePage(
    assetsPath,
    'Signed out',
    clientName ? html`<p>Your sign-out from ${clientName} was successful.</p>` : html`<p>Your sign-out was successful.</p>`,
  );
}
