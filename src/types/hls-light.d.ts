// hls.js ships one declaration file for both builds; its light build has the same API minus EME,
// subtitles and alternate audio.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
