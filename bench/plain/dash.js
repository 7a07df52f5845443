// Plain baseline for the DASH figures: shaka-player's DASH-only ES2021 build (the build Veil's
// `shaka` chunk wraps) on the unencrypted copy of sample-dash. No identity, no token, no EME.
// Bundled by scripts/bench-plain.ts with the same rollup plugins and terser settings as Veil.
import shaka from 'shaka-player/dist/shaka-player.dash-es2021.js';

const video = document.querySelector('video');
shaka.polyfill.installAll();
const player = new shaka.Player();
await player.attach(video);
await player.load(new URL(video.dataset.src, location.href).href);
// Like <veil-player autoplay>: play once the engine has loaded the stream.
video.play().catch(() => undefined);
