// Plain baseline for the HLS figures: hls.js's light build (the build Veil's `hls` chunk wraps) on
// the unencrypted copy of sample-hls, with the same worker file Veil's demo page uses.
// Bundled by scripts/bench-plain.ts with the same rollup plugins and terser settings as Veil.
import Hls from 'hls.js/light';

const video = document.querySelector('video');
const hls = new Hls({ enableWorker: true, workerPath: video.dataset.worker });
// Like <veil-player autoplay>: play once the engine has parsed the manifest.
hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => undefined));
hls.attachMedia(video);
hls.loadSource(new URL(video.dataset.src, location.href).href);
