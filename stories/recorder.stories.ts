/**
 * `<veil-recorder>` in the states it reaches without a Veil API: signed out, outside the perimeter,
 * idle, counting down, and a refused camera prompt. Every story drives the real element — the
 * story-local session provider picks the viewer, and where a story needs a camera, its
 * `beforeEach` answers `getUserMedia` in the page (a canvas stream, or the refusal a viewer gives)
 * and restores it afterwards — never by setting `state` itself. Recording, uploading and
 * processing need the service: `test/e2e/recorder*.test.ts` covers them against the demo.
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, waitFor } from 'storybook/test';
import '../src/elements/recorder/define.js';
import type { VeilRecorder } from '../src/elements/recorder/recorder.js';
import type { RecorderState } from '../src/recording/recorder-controller.js';
import type { VeilSessionState } from '../src/identity/types.js';
import { signedInSession, signedOutSession } from './support/story-session.js';

interface RecorderArgs {
  source: string;
  countdown: number;
}

interface StateSetup {
  /** What the state means (from the recorder's documentation), shown under the recorder. */
  description: string;
  session: () => VeilSessionState;
}

type Story = StoryObj<RecorderArgs>;

function render({ description, session }: StateSetup): Story['render'] {
  return ({ source, countdown }) => html`
    <figure style="margin:0;width:640px;font:14px/1.4 system-ui,sans-serif">
      <story-session .session=${session()}>
        <veil-recorder source=${source} countdown=${countdown} no-microphone style="display:block;width:640px"></veil-recorder>
      </story-session>
      <figcaption style="margin-top:0.75em">${description}</figcaption>
    </figure>
  `;
}

/** Answers `getUserMedia` in the page for one story; Storybook calls the returned restore after it. */
function answerCamera(answer: () => Promise<MediaStream>): () => () => void {
  return () => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    devices.getUserMedia = answer;
    return () => {
      devices.getUserMedia = original;
    };
  };
}

/** A moving canvas as the camera: no device, no prompt. */
const canvasCamera = answerCamera(async () => {
  const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
  const context = canvas.getContext('2d')!;
  let frame = 0;
  const draw = () => {
    context.fillStyle = `hsl(${(frame += 3) % 360} 60% 45%)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (stream.getVideoTracks()[0]?.readyState === 'live') requestAnimationFrame(draw);
  };
  const stream = canvas.captureStream(30);
  draw();
  return stream;
});

/** The viewer refuses the camera prompt. */
const refusedCamera = answerCamera(() => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')));

function recorderIn(canvasElement: HTMLElement): VeilRecorder {
  const recorder = canvasElement.querySelector('veil-recorder');
  if (!recorder) throw new Error('no <veil-recorder> in the story');
  return recorder;
}

async function reaches(recorder: VeilRecorder, state: RecorderState, errorCode?: string): Promise<void> {
  await waitFor(
    () => {
      expect(recorder.getAttribute('state')).toBe(state);
      if (errorCode) expect(recorder.getAttribute('error-code')).toBe(errorCode);
    },
    { timeout: 10_000 },
  );
}

const meta: Meta<RecorderArgs> = {
  title: 'Elements/veil-recorder',
  component: 'veil-recorder',
  args: { source: 'camera', countdown: 3 },
  argTypes: { source: { control: 'select', options: ['camera', 'screen', 'camera+screen'] } },
  parameters: {
    docs: {
      description: {
        component:
          'Records the camera, the screen, or both for the signed-in viewer of the enclosing `<veil-session>`; every chunk ' +
          'is saved in IndexedDB before it is uploaded, and the recording becomes a protected video only its author can watch. ' +
          'The perimeter is checked before any camera prompt. Its state is reflected in the `state` attribute.',
      },
    },
  },
};
export default meta;

export const SignedOut: Story = {
  name: 'signed-out',
  render: render({ description: 'signed-out: no viewer; the recorder offers a sign-in button and asks for no device.', session: signedOutSession }),
  play: async ({ canvasElement }) => reaches(recorderIn(canvasElement), 'signed-out'),
};

export const Denied: Story = {
  name: 'denied',
  render: render({
    description:
      'denied: the viewer is outside the perimeter (error-code PERIMETER_DENIED): no camera prompt, no controls, no upload. ' +
      '(A viewer from org globex; the perimeter is org acme.)',
    session: () => signedInSession({ claims: { sub: 'mallory', org: 'globex', email: 'mallory@globex.test' } }),
  }),
  play: async ({ canvasElement }) => reaches(recorderIn(canvasElement), 'denied', 'PERIMETER_DENIED'),
};

export const Idle: Story = {
  name: 'idle',
  render: render({
    description: 'idle: signed in and inside the perimeter; pick the source, the microphone and a title, then Start.',
    session: () => signedInSession(),
  }),
  play: async ({ canvasElement }) => reaches(recorderIn(canvasElement), 'idle'),
};

export const Countdown: Story = {
  name: 'countdown',
  args: { countdown: 3600 },
  beforeEach: canvasCamera,
  render: render({
    description: 'countdown: the devices are open and the preview runs; recording begins when it reaches zero (Stop cancels). (A canvas stands in for the camera.)',
    session: () => signedInSession(),
  }),
  play: async ({ canvasElement }) => {
    const recorder = recorderIn(canvasElement);
    await reaches(recorder, 'idle');
    // Resolves only when recording begins, an hour from now.
    void recorder.start().catch(() => undefined);
    await reaches(recorder, 'countdown');
  },
};

export const ErrorState: Story = {
  name: 'error',
  beforeEach: refusedCamera,
  render: render({
    description: 'error: capture, upload or processing failed (error-code says why); Record again is offered. (The viewer refused the camera prompt: CAPTURE_PERMISSION_DENIED.)',
    session: () => signedInSession(),
  }),
  play: async ({ canvasElement }) => {
    const recorder = recorderIn(canvasElement);
    await reaches(recorder, 'idle');
    await recorder.start().catch(() => undefined);
    await reaches(recorder, 'error', 'CAPTURE_PERMISSION_DENIED');
  },
};
