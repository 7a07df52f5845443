/**
 * `veil-video/react`: React components for every Veil element, made by `@lit/react`. Importing it
 * registers the elements (it imports their `define` modules). Element properties are typed props;
 * every `veil-*` event the element fires is a typed callback prop named after it
 * (`veil-error` → `onVeilError`, `veil-signed-in` → `onVeilSignedIn`, …).
 *
 * The components carry the elements' names (`VeilPlayer`, …); the element classes stay in
 * `veil-video`. `react` is an optional peer dependency: only this entry imports it, and it stays external.
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { VeilSession as VeilSessionElement } from '../elements/session/define.js';
import { VeilPlayer as VeilPlayerElement } from '../elements/player/define.js';
import { VeilRecorder as VeilRecorderElement } from '../elements/recorder/define.js';
import { VeilShareDialog as VeilShareDialogElement } from '../elements/share-dialog/define.js';
import type { VeilEventMap, VeilEventType } from '../internal/emit.js';

type Pascal<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Pascal<Tail>}` : Capitalize<S>;

/** The callback prop's name for a Veil event: `veil-share-change` → `onVeilShareChange`. */
export type VeilEventProp<K extends VeilEventType> = `on${Pascal<K>}`;

/** `@lit/react`'s event option for some Veil events, each typed with its `CustomEvent`. */
export type VeilEventProps<K extends VeilEventType> = { [P in K as VeilEventProp<P>]: EventName<VeilEventMap[P]> };

/** Builds the `events` option from the event names, so the prop names cannot drift from them. */
function veilEvents<K extends VeilEventType>(...types: K[]): VeilEventProps<K> {
  const props: Record<string, string> = {};
  for (const type of types) props[`on${type.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}`] = type;
  return props as VeilEventProps<K>;
}

/** `<veil-session>`: the sign-in perimeter; put the other components inside it. */
export const VeilSession = createComponent({
  react: React,
  tagName: 'veil-session',
  elementClass: VeilSessionElement,
  displayName: 'VeilSession',
  events: veilEvents('veil-signed-in', 'veil-signed-out', 'veil-error', 'veil-audit'),
});

/** `<veil-player>`: plays one protected video for the signed-in viewer. */
export const VeilPlayer = createComponent({
  react: React,
  tagName: 'veil-player',
  elementClass: VeilPlayerElement,
  displayName: 'VeilPlayer',
  events: veilEvents('veil-error', 'veil-request-access', 'veil-access-requested', 'veil-audit', 'veil-token-renewed', 'veil-watermark-tampered', 'veil-watermark-restored'),
});

/** `<veil-recorder>`: records camera and/or screen and uploads it as a protected video. */
export const VeilRecorder = createComponent({
  react: React,
  tagName: 'veil-recorder',
  elementClass: VeilRecorderElement,
  displayName: 'VeilRecorder',
  events: veilEvents('veil-recording-ready', 'veil-upload-restarted', 'veil-error'),
});

/** `<veil-share-dialog>`: who may watch a video, edited by its owner. */
export const VeilShareDialog = createComponent({
  react: React,
  tagName: 'veil-share-dialog',
  elementClass: VeilShareDialogElement,
  displayName: 'VeilShareDialog',
  events: veilEvents('veil-share-change', 'veil-request-save', 'veil-request-close', 'veil-error'),
});

export type { VeilEventMap, VeilEventType } from '../internal/emit.js';
