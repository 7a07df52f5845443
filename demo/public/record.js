// The demo's recorder page (GET /record): once the recording is ready, link to watching it.
import './demo.js';

const recorder = document.querySelector('veil-recorder');
const link = document.getElementById('recording-link');

recorder.addEventListener('veil-recording-ready', (event) => {
  link.querySelector('a').href = `/watch?v=${encodeURIComponent(event.detail.videoId)}`;
  link.hidden = false;
});
