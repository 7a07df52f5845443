/**
 * The perimeter rule on a verified identity (server: checkPerimeter → PERIMETER_DENIED with the
 * reason) and the shared pure rule the browser also uses (perimeterViolation).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VeilError } from '../../src/protocol/errors.js';
import { perimeterViolation, type PerimeterPolicy } from '../../src/protocol/perimeter.js';
import { checkPerimeter } from '../../src/server/identity/perimeter.js';
import type { Viewer } from '../../src/protocol/viewer.js';

const ISSUER = 'http://127.0.0.1:8080/idp';

const alice: Viewer = { sub: 'alice@acme.test', issuer: ISSUER, org: 'acme', groups: ['veil-admins'], email: 'alice@acme.test', name: 'Alice Example' };
const bob: Viewer = { sub: 'bob@acme.test', issuer: ISSUER, org: 'acme', groups: [], email: 'bob@acme.test' };
const mallory: Viewer = { sub: 'mallory@globex.test', issuer: ISSUER, org: 'globex', groups: [], email: 'mallory@globex.test' };

function deniedFor(reason: string) {
  return (error: unknown) =>
    error instanceof VeilError &&
    error.code === 'PERIMETER_DENIED' &&
    error.category === 'perimeter' &&
    error.status === 403 &&
    error.data.reason === reason;
}

describe('checkPerimeter', () => {
  const demo: PerimeterPolicy = { issuer: ISSUER, org: 'acme' };

  it('lets members of the org in', () => {
    assert.doesNotThrow(() => checkPerimeter(alice, demo));
    assert.doesNotThrow(() => checkPerimeter(bob, demo));
  });

  it('denies another issuer with reason issuer', () => {
    assert.throws(() => checkPerimeter({ ...alice, issuer: 'http://127.0.0.1:9999/idp' }, demo), deniedFor('issuer'));
    assert.throws(() => checkPerimeter({ ...alice, issuer: `${ISSUER}/` }, demo), deniedFor('issuer'));
  });

  it('denies another org, or no org, with reason org', () => {
    assert.throws(() => checkPerimeter(mallory, demo), deniedFor('org'));
    const { org: _org, ...orgless } = alice;
    assert.throws(() => checkPerimeter(orgless, demo), deniedFor('org'));
    assert.throws(() => checkPerimeter({ ...alice, org: 'ACME' }, demo), deniedFor('org'));
  });

  it('denies viewers in none of the required groups with reason groups', () => {
    const admins: PerimeterPolicy = { ...demo, groups: ['veil-admins', 'auditors'] };
    assert.doesNotThrow(() => checkPerimeter(alice, admins));
    assert.throws(() => checkPerimeter(bob, admins), deniedFor('groups'));
    assert.doesNotThrow(() => checkPerimeter({ ...bob, groups: ['auditors'] }, admins));
  });

  it('denies other email domains with reason email-domain', () => {
    const domain: PerimeterPolicy = { issuer: ISSUER, emailDomains: ['acme.test'] };
    assert.doesNotThrow(() => checkPerimeter(alice, domain));
    assert.doesNotThrow(() => checkPerimeter({ ...alice, email: 'Alice@ACME.test' }, domain));
    assert.throws(() => checkPerimeter(mallory, domain), deniedFor('email-domain'));
    assert.throws(() => checkPerimeter({ ...alice, email: 'alice@evil.acme.test' }, domain), deniedFor('email-domain'));
    assert.throws(() => checkPerimeter({ ...alice, email: 'alice@acme.test.evil' }, domain), deniedFor('email-domain'));
    const { email: _email, ...emailless } = alice;
    assert.throws(() => checkPerimeter(emailless, domain), deniedFor('email-domain'));
  });

  it('reports the first failing rule: issuer, then org, then groups, then email domain', () => {
    const strict: PerimeterPolicy = { issuer: ISSUER, org: 'acme', groups: ['veil-admins'], emailDomains: ['acme.test'] };
    assert.throws(() => checkPerimeter({ ...mallory, issuer: 'x' }, strict), deniedFor('issuer'));
    assert.throws(() => checkPerimeter(mallory, strict), deniedFor('org'));
    assert.throws(() => checkPerimeter({ ...bob, email: 'bob@globex.test' }, strict), deniedFor('groups'));
    assert.throws(() => checkPerimeter({ ...alice, email: 'alice@globex.test' }, strict), deniedFor('email-domain'));
    assert.doesNotThrow(() => checkPerimeter(alice, strict));
  });
});

describe('perimeterViolation (shared with the browser)', () => {
  it('works on raw token claims (iss) and treats wrongly typed claims as failing', () => {
    const policy: PerimeterPolicy = { issuer: ISSUER, org: 'acme', groups: ['veil-admins'] };
    assert.equal(perimeterViolation({ iss: ISSUER, org: 'acme', groups: ['veil-admins'] }, policy), undefined);
    assert.equal(perimeterViolation({ org: 'acme', groups: ['veil-admins'] }, policy), 'issuer');
    assert.equal(perimeterViolation({ iss: ISSUER, org: ['acme'], groups: ['veil-admins'] }, policy), 'org');
    assert.equal(perimeterViolation({ iss: ISSUER, org: 'acme', groups: 'veil-admins' }, policy), 'groups');
    assert.equal(perimeterViolation({ iss: ISSUER, org: 'acme', groups: [{}] }, policy), 'groups');
  });

  it('has no group or domain rule when those lists are absent or empty', () => {
    assert.equal(perimeterViolation(bob, { issuer: ISSUER, groups: [], emailDomains: [] }), undefined);
    assert.equal(perimeterViolation(mallory, { issuer: ISSUER }), undefined);
  });
});
