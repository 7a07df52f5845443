/** The camera+screen composite's frame size: the screen's, scaled down (never up) to fit 720p, even. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compositeSize } from '../../src/recording/compositor.js';

describe('compositeSize', () => {
  it('scales full HD and larger screens down to fit 1280×720, keeping the aspect ratio', () => {
    assert.deepEqual(compositeSize(1920, 1080), { width: 1280, height: 720 });
    assert.deepEqual(compositeSize(3840, 2160), { width: 1280, height: 720 });
    assert.deepEqual(compositeSize(2560, 1600), { width: 1152, height: 720 });
    assert.deepEqual(compositeSize(1080, 1920), { width: 404, height: 720 });
  });

  it('keeps a screen that already fits, and rounds down to even pixels', () => {
    assert.deepEqual(compositeSize(800, 600), { width: 800, height: 600 });
    assert.deepEqual(compositeSize(1281, 721), { width: 1278, height: 720 });
    assert.deepEqual(compositeSize(641, 481), { width: 640, height: 480 });
  });
});
