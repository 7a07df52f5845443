/**
 * A recording over the user's duration quota, end to end: the demo allows 2 s of processed
 * recordings per user, alice records ~4 s, the server's job ends `failed` with
 * `UPLOAD_QUOTA_EXCEEDED` — and the recorder shows exactly that: `state="error"`, the code on
 * `error-code` and `error`, the quota named in `data.limit`, and the code's viewer message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../src/protocol/error-hints.js';
import { demoAndBrowser } from '../support/e2e.js';
import { recordFor, recorderState, signInToRecord, startRecording } from '../support/recorder.js';

const env = demoAndBrowser({ recordingSecondsPerUser: 2 });

describe('<veil-recorder> over the duration quota', () => {
  it('a job failed with UPLOAD_QUOTA_EXCEEDED shows that code and its message', async () => {
    const page = await (await env.browser.createBrowserContext()).newPage();
    await signInToRecord(page, 'alice@acme.test', env.demo.config.origin);
    assert.equal(await recorderState(page, ['idle']), 'idle');
    const startedAt = await startRecording(page);
    await recordFor(page, startedAt, 4);
    await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
    assert.equal(await recorderState(page, ['error', 'ready'], 180_000), 'error');
    const shown = await page.evaluate(() => {
      const recorder = document.querySelector('veil-recorder')!;
      return {
        attribute: recorder.getAttribute('error-code'),
        code: recorder.error?.code,
        limit: (recorder.error?.data as { limit?: string } | undefined)?.limit,
        status: recorder.shadowRoot!.querySelector('p[role="status"]')!.textContent!.trim(),
      };
    });
    assert.deepEqual(shown, { attribute: 'UPLOAD_QUOTA_EXCEEDED', code: 'UPLOAD_QUOTA_EXCEEDED', limit: 'duration', status: ERROR_CODES.UPLOAD_QUOTA_EXCEEDED.message });
    await page.browserContext().close();
  });
});
