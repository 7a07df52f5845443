import { expect } from '@open-wc/testing';
import { ERROR_CODES } from '../../src/protocol/error-hints.js';
import { isVeilError, VeilError } from '../../src/protocol/errors.js';
import { formatTime } from '../../src/elements/player/format-time.js';

describe('VeilError', () => {
  it('carries code, category, severity, hint, data and cause', () => {
    const cause = new Error('shaka 6007');
    const error = new VeilError('DRM_LICENSE_REQUEST_FAILED', { cause, data: { status: 500 } });
    expect(error).to.be.instanceOf(Error);
    expect(isVeilError(error)).to.equal(true);
    expect(error.name).to.equal('VeilError');
    expect(error.code).to.equal('DRM_LICENSE_REQUEST_FAILED');
    expect(error.category).to.equal('drm');
    expect(error.severity).to.equal('critical');
    expect(error.cause).to.equal(cause);
    expect(error.data).to.deep.equal({ status: 500 });
    expect(Object.isFrozen(error.data)).to.equal(true);
    expect(error.toJSON().error.code).to.equal('DRM_LICENSE_REQUEST_FAILED');
  });

  it('every code has a viewer message and an integrator hint', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).to.match(/^[A-Z][A-Z0-9_]+$/);
      expect(info.message.length, code).to.be.greaterThan(10);
      expect(info.hint.length, code).to.be.greaterThan(10);
    }
  });
});

describe('formatTime', () => {
  it('formats minutes, hours and unknown durations', () => {
    expect(formatTime(0)).to.equal('0:00');
    expect(formatTime(61.9)).to.equal('1:01');
    expect(formatTime(3723)).to.equal('1:02:03');
    expect(formatTime(Number.NaN)).to.equal('--:--');
    expect(formatTime(Infinity)).to.equal('--:--');
  });
});
