/** The client address behind a load balancer: `X-Forwarded-For` is read only from a trusted proxy, and only its last entry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardedClientAddress, setClientAddress } from '../../src/server/http/client-address.js';

function request(peer: string | undefined, forwarded?: string): Request {
  const request = new Request('https://video.test/api/jwks', { headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } });
  if (peer) setClientAddress(request, peer);
  return request;
}

describe('forwardedClientAddress', () => {
  const address = forwardedClientAddress(['10.0.0.2']);

  it('takes the last X-Forwarded-For entry (the one the proxy wrote) from a trusted proxy', () => {
    assert.equal(address(request('10.0.0.2', '203.0.113.7')), '203.0.113.7');
    assert.equal(address(request('10.0.0.2', '6.6.6.6, 203.0.113.7')), '203.0.113.7', 'a client-written entry is ignored');
    assert.equal(address(request('10.0.0.2')), '10.0.0.2', 'no header: the proxy itself');
  });

  it('ignores the header from anyone else', () => {
    assert.equal(address(request('198.51.100.9', '203.0.113.7')), '198.51.100.9');
    assert.equal(address(request(undefined, '203.0.113.7')), undefined);
  });
});
