import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundaryViolations, importCycles, readImportGraph, type ImportGraph } from '../support/boundaries.js';

describe('import boundaries of src/ (DESIGN.md "Rules a test enforces")', () => {
  const graph = readImportGraph('src');

  it('reads the real tree: every file, static, type-only and dynamic imports', () => {
    assert.ok(Object.keys(graph).length > 50);
    assert.ok(graph['playback/engines/registry.ts']!.includes('playback/engines/shaka.ts'), 'a dynamic import() is an edge');
    assert.ok(graph['audit/audit-controller.ts']!.includes('playback/state.ts'), 'an `import type` is an edge');
    assert.ok(graph['elements/player/player.ts']!.includes('pkg:lit'), 'a package import');
  });

  it('no file breaks a rule', () => {
    assert.deepEqual(boundaryViolations(graph), []);
  });

  it('there are no import cycles in src/', () => {
    assert.deepEqual(importCycles(graph), []);
  });
});

describe('the boundary checker (each rule can fail)', () => {
  const clean: ImportGraph = {
    'protocol/errors.ts': [],
    'protocol/schemas.ts': ['pkg:valibot', 'protocol/errors.ts'],
    'server/service.ts': ['protocol/errors.ts', 'server/routes/x.ts', 'pkg:node:http', 'pkg:hono'],
    'server/routes/x.ts': ['protocol/errors.ts'],
    'internal/emit.ts': ['protocol/errors.ts'],
    'playback/playback-controller.ts': ['internal/emit.ts', 'pkg:lit'],
    'elements/events.ts': [],
    'elements/player/player.ts': ['playback/playback-controller.ts', 'elements/player/controls.ts', 'elements/events.ts'],
    'elements/player/controls.ts': [],
    'elements/session/session.ts': ['internal/emit.ts'],
  };
  const withEdge = (from: string, to: string): ImportGraph => ({ ...clean, [from]: [...(clean[from] ?? []), to] });

  it('accepts a graph that keeps every rule', () => {
    assert.deepEqual(boundaryViolations(clean), []);
    assert.deepEqual(importCycles(clean), []);
  });

  it('protocol imports nothing but valibot (no DOM helpers, no packages, no node)', () => {
    assert.deepEqual(boundaryViolations(withEdge('protocol/errors.ts', 'internal/emit.ts')), ['protocol/errors.ts → internal/emit.ts: protocol imports nothing (but valibot)']);
    assert.equal(boundaryViolations(withEdge('protocol/errors.ts', 'pkg:lit')).length, 1);
    assert.equal(boundaryViolations(withEdge('protocol/errors.ts', 'pkg:node:crypto')).length, 1);
  });

  it('server/** imports only protocol and server/** (packages allowed)', () => {
    assert.deepEqual(boundaryViolations(withEdge('server/routes/x.ts', 'playback/playback-controller.ts')), [
      'server/routes/x.ts → playback/playback-controller.ts: server/** imports only protocol/ and server/**',
    ]);
    assert.equal(boundaryViolations(withEdge('server/service.ts', 'elements/player/player.ts')).length, 1);
  });

  it('a controller never imports elements/ (by folder, or by the -controller.ts name)', () => {
    assert.deepEqual(boundaryViolations(withEdge('internal/emit.ts', 'elements/events.ts')), ['internal/emit.ts → elements/events.ts: a controller never imports elements/']);
    assert.equal(boundaryViolations(withEdge('playback/playback-controller.ts', 'elements/player/player.ts')).length, 1);
    const named = { ...clean, 'elements/player/keyboard-controller.ts': ['elements/events.ts'] };
    assert.deepEqual(boundaryViolations(named), ['elements/player/keyboard-controller.ts → elements/events.ts: a controller never imports elements/']);
  });

  it('an element folder never imports another', () => {
    assert.deepEqual(boundaryViolations(withEdge('elements/session/session.ts', 'elements/player/controls.ts')), [
      'elements/session/session.ts → elements/player/controls.ts: an element never imports another element',
    ]);
  });

  it('finds import cycles, long and short', () => {
    assert.deepEqual(importCycles(withEdge('internal/emit.ts', 'playback/playback-controller.ts')), [['internal/emit.ts', 'playback/playback-controller.ts']]);
    const long = withEdge('server/routes/x.ts', 'server/service.ts');
    assert.deepEqual(importCycles(long), [['server/routes/x.ts', 'server/service.ts']]);
    assert.deepEqual(importCycles(withEdge('protocol/errors.ts', 'protocol/errors.ts')), [['protocol/errors.ts']]);
  });
});
