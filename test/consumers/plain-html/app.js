// @ts-check
// The page's own script, plain JavaScript type-checked against the package's types (JSDoc).
const player = /** @type {import('veil-video').VeilPlayer} */ (document.querySelector('veil-player'));

player.addEventListener('veil-error', (event) => {
  // `event` is a CustomEvent<VeilError>: the package's event map extends HTMLElementEventMap.
  const alert = document.createElement('p');
  alert.setAttribute('role', 'alert');
  alert.dataset.code = event.detail.code;
  alert.textContent = event.detail.message;
  document.body.append(alert);
});
