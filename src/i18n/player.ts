/**
 * `<veil-player>`'s strings in English: every string it shows or announces. Other languages
 * override any subset with `setVeilStrings(lang, strings)`. Placeholders are `{name}`.
 */
export const ENGLISH_STRINGS = {
  player: 'Video player',
  play: 'Play',
  pause: 'Pause',
  seek: 'Seek',
  /** aria-valuetext of the seek slider. */
  seekValue: '{current} of {duration}',
  mute: 'Mute',
  volume: 'Volume',
  volumeValue: '{percent}%',
  fullscreen: 'Fullscreen',
  captions: 'Captions',
  captionsMenu: 'Caption language',
  captionsOff: 'Off',
  /** Name of a caption track without a label in the stream. */
  captionsUnnamed: 'Track {number}',
  quality: 'Quality',
  qualityAuto: 'Auto',
  /** Auto, with the rendition adaptive bitrate picked. */
  qualityAutoActive: 'Auto ({quality})',
  qualityHeight: '{height}p',
  qualityBitrate: '{kbps} kbps',
  speed: 'Speed',
  speedNormal: 'Normal',
  speedValue: '{rate}×',
  signInMessage: 'Sign in with your organisation account to watch this video.',
  signIn: 'Sign in',
  authorizing: 'Checking your access…',
  loading: 'Loading the video…',
  /** A recording still being processed; `{percent}` of the job done. */
  processing: 'This recording is being prepared ({percent}%). It plays as soon as it is ready.',
  cannotPlay: 'This video cannot be played.',
  /** Shown with a `PLAYBACK_NOT_GRANTED` denial: asks the owner for access. */
  requestAccess: 'Request access',
  requestingAccess: 'Requesting access…',
  accessRequested: 'Access requested. You can watch once the owner approves.',
  accessGranted: 'You have access now. Reload the page to watch.',
  announcePlaying: 'Playing',
  announcePaused: 'Paused',
  announceEnded: 'Ended',
  announceMuted: 'Muted',
  announceUnmuted: 'Sound on',
  announceVolume: 'Volume {percent}%',
  announceSeek: '{time}',
  announceCaptionsOn: 'Captions on: {track}',
  announceCaptionsOff: 'Captions off',
  announceQuality: 'Quality: {quality}',
  announceSpeed: 'Speed: {speed}',
};

export type VeilStringKey = keyof typeof ENGLISH_STRINGS;
