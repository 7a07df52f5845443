// Demo page behaviour, served as a file so the page runs under a CSP without 'unsafe-inline'.
// The shared header: who is signed in (from the page's <veil-session>), the Audit link for org
// admins (the admin API still decides), and the sign-in / sign-out buttons.
const ADMIN_GROUP = 'veil-admins';
const session = document.querySelector('veil-session');
const viewer = document.getElementById('viewer');
const signIn = document.getElementById('sign-in');
const signOut = document.getElementById('sign-out');

function showViewer() {
  const claims = session?.claims;
  if (viewer) viewer.textContent = claims ? `${claims.email ?? claims.sub} · ${claims.org ?? 'no org'}` : session ? 'Not signed in' : '';
  if (signIn) signIn.hidden = !session || !!claims;
  if (signOut) signOut.hidden = !session || (session.status !== 'signed-in' && !session.hasAttribute('auto-sign-in'));
  const admin = (claims?.groups ?? []).includes(ADMIN_GROUP);
  for (const link of document.querySelectorAll('[data-admin-only]')) link.hidden = !admin && link.getAttribute('aria-current') !== 'page';
}

signIn?.addEventListener('click', () => session?.signIn());
signOut?.addEventListener('click', () => session?.signOut());
for (const type of ['veil-signed-in', 'veil-signed-out', 'veil-error']) document.addEventListener(type, showViewer);
customElements.whenDefined('veil-session').then(() => session?.updateComplete).then(showViewer);
showViewer();
