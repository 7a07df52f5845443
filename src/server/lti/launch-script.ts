/**
 * The script of the login and launch pages, served by the tool at `/lti/launch.js` (a classic
 * script: a sandboxed LMS frame has an opaque origin, and module scripts would need CORS there).
 *
 * Login page: keeps the login's browser binding in the first carrier that works here — LTI
 * platform storage (the frame `lti_storage_target` names, or the one `lti.capabilities` offers;
 * messages go to the platform's auth origin and only a response with our `message_id` from that
 * origin counts), else a `Partitioned` cookie (read back to be sure), else partitioned
 * `localStorage` — then goes on to the platform's auth endpoint. With none (a sandboxed frame) it
 * shows the "Open in a new window" control, which starts the same login top-level.
 *
 * Launch page (the platform's `form_post` arrived without the cookie): reads the binding back
 * from the same carrier and posts the launch again with it; without one the server refuses.
 *
 * Deep-linking return page: submits the signed response to the platform's return URL.
 */
export const LAUNCH_SCRIPT = String.raw`(function () {
  'use strict';
  var PREFIX = 'veil-lti-';
  var TIMEOUT_MS = 1500;
  var RESEND_MS = 250;
  var CAPABILITIES_TIMEOUT_MS = 400;

  function id() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /**
   * Posts the message to what target() returns and waits for its answer. The message is sent again every
   * RESEND_MS until then (same message_id), and the target looked up again each time: the
   * platform's storage frame may still be loading when the tool's frame asks, and a message sent
   * to a frame that is not listening yet is lost.
   */
  function ask(target, origin, message, timeoutMs) {
    return new Promise(function (resolve) {
      message.message_id = id();
      var timer = setTimeout(function () { finish(undefined); }, timeoutMs);
      var resend = setInterval(send, RESEND_MS);
      function send() {
        var window_ = target();
        if (!window_) return;
        try {
          window_.postMessage(message, origin);
        } catch (error) {
          finish(undefined);
        }
      }
      function listen(event) {
        var data = event.data;
        if (event.origin !== origin || !data || typeof data !== 'object') return;
        if (data.message_id !== message.message_id || data.subject !== message.subject + '.response') return;
        finish(data);
      }
      function finish(value) {
        clearTimeout(timer);
        clearInterval(resend);
        window.removeEventListener('message', listen);
        resolve(value);
      }
      window.addEventListener('message', listen);
      send();
    });
  }

  function frameNamed(name) {
    if (!name || name === '_parent') return window.parent;
    try {
      return window.parent.frames[name] || undefined;
    } catch (error) {
      return undefined;
    }
  }

  /** A lookup of the platform-storage frame (named by the launch, or offered by lti.capabilities), or undefined when there is none. */
  function storageFrame(data) {
    if (window.parent === window) return Promise.resolve(undefined);
    if (data.storageTarget) return Promise.resolve(function () { return frameNamed(data.storageTarget); });
    return ask(function () { return window.parent; }, data.platformOrigin, { subject: 'lti.capabilities' }, CAPABILITIES_TIMEOUT_MS).then(function (answer) {
      var list = answer && Array.isArray(answer.supported_messages) ? answer.supported_messages : [];
      var put = list.filter(function (entry) { return entry && entry.subject === 'lti.put_data'; })[0];
      return put ? function () { return frameNamed(put.frame); } : undefined;
    });
  }

  function putPlatform(data, frame) {
    // frame: the storage frame's lookup (see ask)
    if (!frame) return Promise.resolve(false);
    return ask(frame, data.platformOrigin, { subject: 'lti.put_data', key: PREFIX + data.key, value: data.binding }, TIMEOUT_MS).then(function (answer) {
      return Boolean(answer && !answer.error && answer.value === data.binding);
    });
  }

  function getPlatform(data, frame) {
    if (!frame) return Promise.resolve(undefined);
    return ask(frame, data.platformOrigin, { subject: 'lti.get_data', key: PREFIX + data.key }, TIMEOUT_MS).then(function (answer) {
      return answer && !answer.error && typeof answer.value === 'string' ? answer.value : undefined;
    });
  }

  function putCookie(data) {
    try {
      document.cookie = data.cookieName + '=' + data.binding + '; Path=/lti/; Max-Age=300; Secure; SameSite=None; Partitioned';
      return document.cookie.split('; ').indexOf(data.cookieName + '=' + data.binding) >= 0;
    } catch (error) {
      return false;
    }
  }

  function putLocal(data) {
    try {
      localStorage.setItem(PREFIX + data.key, data.binding);
      return localStorage.getItem(PREFIX + data.key) === data.binding;
    } catch (error) {
      return false;
    }
  }

  function takeLocal(data) {
    try {
      var value = localStorage.getItem(PREFIX + data.key);
      localStorage.removeItem(PREFIX + data.key);
      return value || undefined;
    } catch (error) {
      return undefined;
    }
  }

  function login(root) {
    var data = root.dataset;
    storageFrame(data)
      .then(function (frame) { return putPlatform(data, frame); })
      .then(function (stored) {
        var carrier = stored ? 'platform-storage' : putCookie(data) ? 'cookie' : putLocal(data) ? 'local-storage' : '';
        root.setAttribute('data-carrier', carrier || 'none');
        if (carrier) {
          location.replace(data.authUrl);
          return;
        }
        document.getElementById('veil-lti-waiting').hidden = true;
        document.getElementById('veil-lti-new-window').hidden = false;
      });
  }

  function launch(root) {
    var data = root.dataset;
    var form = document.getElementById('veil-lti-form');
    storageFrame(data)
      .then(function (frame) { return getPlatform(data, frame); })
      .then(function (fromPlatform) {
        var fromLocal = fromPlatform ? undefined : takeLocal(data);
        form.elements.bind.value = fromPlatform || fromLocal || '';
        form.elements.carrier.value = fromPlatform ? 'platform-storage' : fromLocal ? 'local-storage' : 'none';
        form.submit();
      });
  }

  // Deep-linking return: the signed response goes to the platform as a form post (Deep Linking 2.0 §4.5).
  var returnForm = document.getElementById('veil-lti-return-form');
  if (returnForm) returnForm.submit();

  var loginRoot = document.getElementById('veil-lti-login');
  var launchRoot = document.getElementById('veil-lti-launch');
  if (loginRoot) login(loginRoot);
  if (launchRoot) launch(launchRoot);
})();
`;
