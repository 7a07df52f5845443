// Type fixture for `veil-video/react` (react-types.test.ts checks it): the props and callbacks a host
// app writes. Each `@ts-expect-error` line is a mistake the types must reject; the test also checks
// that every one of them is a real error once its directive is removed.
import { createElement } from 'react';
import { VeilPlayer, VeilRecorder, VeilSession, VeilShareDialog } from '../../src/react/index.js';
import type { VeilErrorCode } from '../../src/index.js';

export const app = createElement(
  VeilSession,
  {
    issuer: 'https://idp.example',
    clientId: 'veil-demo',
    api: '/api',
    autoSignIn: true,
    onVeilSignedIn: (event) => console.log(event.detail.claims?.sub),
    onVeilSignedOut: (event) => console.log(event.type),
    onVeilError: (event) => console.log(event.detail.code satisfies VeilErrorCode, event.detail.hint),
  },
  createElement(VeilPlayer, {
    video: 'sample-hls',
    autoplay: false,
    onVeilTokenRenewed: (event) => console.log(event.detail.expiresAt.toFixed()),
    onVeilWatermarkTampered: (event) => console.log(event.detail),
    onVeilAudit: (event) => console.log(event.detail.type),
  }),
  createElement(VeilRecorder, { onVeilRecordingReady: (event) => console.log(event.detail.videoId.length) }),
  createElement(VeilShareDialog, {
    video: 'sample-private',
    open: true,
    onVeilRequestSave: (event) => event.detail.changes.length > 0 || event.preventDefault(),
    onVeilShareChange: (event) => console.log(event.detail.generalAccess),
    onVeilRequestClose: (event) => event.preventDefault(),
  }),
);

// @ts-expect-error autoplay is a boolean property
export const wrongPropType = createElement(VeilPlayer, { autoplay: 'yes' });
// @ts-expect-error the player fires no veil-signed-in
export const wrongElementEvent = createElement(VeilPlayer, { onVeilSignedIn: () => {} });
// @ts-expect-error veil-error's detail is a VeilError, whose code is not a number
export const wrongDetail = createElement(VeilPlayer, { onVeilError: (event) => event.detail.code.toFixed() });
// @ts-expect-error a recording's id is a string
export const wrongDetailType = createElement(VeilRecorder, { onVeilRecordingReady: (event) => event.detail.videoId.toFixed() });
