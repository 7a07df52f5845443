/**
 * Picture-in-Picture shows the bare video in a window the overlay cannot follow, so it is refused
 * while a watermark is required. Three layers, since each can be peeled off alone:
 * `disablepictureinpicture` on the `<video>` (the browser's own refusal, and no PiP button), this
 * instance's `requestPictureInPicture()` rejecting, and the guard treating a video that got into
 * PiP anyway as tampering (it exits PiP and pauses).
 */

export const PIP_REFUSED_MESSAGE = 'Picture-in-Picture is disabled: this video carries a viewer watermark.';

/** Makes `video.requestPictureInPicture()` reject (the instance method; not writable). */
export function refusePictureInPicture(video: HTMLVideoElement): void {
  if (Object.hasOwn(video, 'requestPictureInPicture')) return;
  Object.defineProperty(video, 'requestPictureInPicture', {
    value: () => Promise.reject(new DOMException(PIP_REFUSED_MESSAGE, 'NotAllowedError')),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

/** Whether the player's video is in a Picture-in-Picture window right now (or may go there). */
export function pictureInPictureOpen(root: ShadowRoot, video: HTMLVideoElement): boolean {
  return root.pictureInPictureElement === video || !video.disablePictureInPicture;
}

/** Leaves PiP if the video is in it. */
export function leavePictureInPicture(root: ShadowRoot, video: HTMLVideoElement): void {
  if (root.pictureInPictureElement === video) void video.ownerDocument.exitPictureInPicture().catch(() => undefined);
}
