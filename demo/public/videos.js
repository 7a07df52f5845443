// The demo's "My videos" page (GET /videos): lists the signed-in viewer's videos through
// GET /api/videos with the session's access token, one <li data-video-id data-status data-role>
// each, with DOM APIs only (every value is text). Videos still processing are polled. Videos the
// viewer may share (owner; editor where the org's policy lets editors share) get a Share button
// that opens <veil-share-dialog> for that video (a fresh one each time: a dialog serves one video).
import './demo.js';

const session = document.querySelector('veil-session');
const status = document.getElementById('videos-status');
const list = document.getElementById('videos');

function item(video) {
  const li = document.createElement('li');
  li.dataset.videoId = video.id;
  li.dataset.status = video.status;
  li.dataset.role = video.role;
  const link = document.createElement('a');
  link.href = `/watch?v=${encodeURIComponent(video.id)}`;
  link.textContent = video.title;
  const state = document.createElement('span');
  state.textContent = video.status === 'processing' && video.processing ? ` — processing (${video.processing.progress}%)` : ` — ${video.status}`;
  li.append(link, state);
  if (video.role === 'owner' || (video.role === 'editor' && editorsMayShare)) li.append(' ', shareButton(video));
  return li;
}

function shareButton(video) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'share';
  button.textContent = 'Share';
  button.setAttribute('aria-label', `Share ${video.title}`);
  button.addEventListener('click', () => {
    session.querySelector('veil-share-dialog')?.remove();
    const dialog = document.createElement('veil-share-dialog');
    dialog.setAttribute('video', video.id);
    session.append(dialog);
    dialog.show();
  });
  return button;
}

let editorsMayShare = false;
async function sharingPolicy(api, token) {
  const response = await fetch(`${api}/api/sharing-policy`, { headers: { authorization: `Bearer ${token}` } });
  return response.ok ? (await response.json()).policy : undefined;
}

let timer;
async function load() {
  if (session.status !== 'signed-in') return;
  clearTimeout(timer);
  try {
    const token = await session.getAccessToken();
    const api = (session.getAttribute('api') || location.origin).replace(/\/$/, '');
    editorsMayShare = (await sharingPolicy(api, token))?.editorsMayShare ?? false;
    const response = await fetch(`${api}/api/videos`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`the video API answered ${response.status}`);
    const { videos } = await response.json();
    list.replaceChildren(...videos.map(item));
    status.textContent = `${videos.length} video${videos.length === 1 ? '' : 's'}.`;
    if (videos.some((video) => video.status === 'processing')) timer = setTimeout(load, 2000);
  } catch (error) {
    status.textContent = `Your videos could not be loaded: ${error.message}`;
  }
}

session.addEventListener('veil-signed-in', load);
customElements.whenDefined('veil-session').then(load);
