/**
 * `<veil-recorder>`'s strings in English: every string it shows or announces. Other languages
 * override any subset with `setVeilStrings(lang, strings)` (keys are shared with the player's
 * table, so recorder keys start with `recorder`). Placeholders are `{name}`.
 */
export const RECORDER_STRINGS = {
  recorder: 'Video recorder',
  recorderSignIn: 'Sign in with your organisation account to record.',
  recorderSignInButton: 'Sign in',
  recorderSource: 'Source',
  recorderSourceCamera: 'Camera',
  recorderSourceScreen: 'Screen',
  recorderSourceBoth: 'Screen and camera',
  recorderMicrophone: 'Microphone',
  recorderCamera: 'Camera',
  recorderMicrophoneDevice: 'Microphone device',
  recorderDefaultDevice: 'Default',
  recorderCameraNumber: 'Camera {index}',
  recorderMicrophoneNumber: 'Microphone {index}',
  recorderLevel: 'Microphone level',
  recorderTitle: 'Title',
  recorderStart: 'Start recording',
  recorderStop: 'Stop',
  recorderPause: 'Pause',
  recorderResume: 'Resume',
  recorderCountdown: 'Recording starts in {seconds}…',
  recorderRecording: 'Recording',
  recorderPaused: 'Paused',
  recorderUploading: 'Uploading the recording ({percent}%)…',
  recorderWaitingForNetwork: 'Waiting for the network; the recording is safe on this device.',
  recorderNetworkBack: 'Connected again; uploading.',
  recorderProcessing: 'Preparing the video ({percent}%)…',
  recorderReady: 'Your video is ready. Only you can watch it until you share it.',
  recorderWatch: 'Watch',
  recorderRecovered: 'An unfinished recording was found and is being uploaded.',
  recorderRestarted: 'The server lost the upload; sending the recording again from this device.',
  recorderMaxDurationWarning: 'Recording stops in one minute (maximum length).',
  recorderProgress: 'Progress',
  recorderPlayback: 'Your recording, played from this device',
  recorderRecordAgain: 'Record again',
};

export type RecorderStringKey = keyof typeof RECORDER_STRINGS;
