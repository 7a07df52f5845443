/**
 * The demo LMS's page script (served at `/lms/assets/lms.js`): auto-submits the auth endpoint's
 * `form_post`; after a deep-linking return, takes the course page back to the course; on a course page answers `lti.capabilities` (variants canvas and blackboard — and
 * for blackboard also keeps the data itself, as its course window); in the storage frame keeps
 * `lti.put_data` / `lti.get_data` per tool origin. Only the tool's origin is answered, and
 * answers go to that origin.
 */
export const LMS_SCRIPT = String.raw`(function () {
  'use strict';
  var form = document.querySelector('form[data-auto-submit]');
  if (form) {
    form.submit();
    return;
  }
  // The deep-linking return landed in the tool's frame: back to the course page, which lists the new link.
  var added = document.querySelector('[data-lms-deep-link-added]');
  if (added) {
    window.top.location.href = added.getAttribute('data-return');
    return;
  }
  var course = document.getElementById('lms-course');
  var storageRoot = document.getElementById('lms-storage');
  var root = course || storageRoot;
  if (!root) return;
  var toolOrigin = root.dataset.toolOrigin;
  var variant = course ? course.dataset.variant : 'storage';
  var store = new Map();

  function answer(event, body) {
    body.message_id = event.data.message_id;
    event.source.postMessage(body, event.origin);
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (event.origin !== toolOrigin || !data || typeof data !== 'object' || !event.source) return;
    var namesFrame = variant === 'canvas' || variant === 'brightspace';
    if (data.subject === 'lti.capabilities' && (namesFrame || variant === 'blackboard')) {
      var frame = namesFrame ? 'veil-lms-storage' : undefined;
      answer(event, { subject: 'lti.capabilities.response', supported_messages: [{ subject: 'lti.put_data', frame: frame }, { subject: 'lti.get_data', frame: frame }] });
      return;
    }
    // The storage frame, or blackboard's course window (its capabilities name no frame).
    if (variant !== 'storage' && variant !== 'blackboard') return;
    var key = event.origin + ' ' + String(data.key);
    if (data.subject === 'lti.put_data') {
      store.set(key, String(data.value));
      answer(event, { subject: 'lti.put_data.response', key: data.key, value: String(data.value) });
    } else if (data.subject === 'lti.get_data') {
      var value = store.get(key);
      answer(event, value === undefined ? { subject: 'lti.get_data.response', key: data.key, error: { code: 'key_not_found', message: 'no such key' } } : { subject: 'lti.get_data.response', key: data.key, value: value });
    }
  });
})();
`;
