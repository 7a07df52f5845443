// Demo page behaviour, served as a file so the page runs under a CSP without 'unsafe-inline'.
document.getElementById('sign-out')?.addEventListener('click', () => {
  document.querySelector('veil-session')?.signOut();
});
