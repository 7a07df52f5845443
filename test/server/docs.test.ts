import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { withErrorTable } from '../../scripts/error-table.js';

describe('README', () => {
  it('documents every error code exactly as src/errors.ts defines it (run `npm run docs`)', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.equal(readme, withErrorTable(readme));
  });

  it('shows the quick start and test commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /npm test/);
  });
});

describe('custom-elements.json (built from the class JSDoc by `npm run build`)', () => {
  it('describes every element with its attributes, events and CSS parts', () => {
    const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
      modules: Array<{ declarations?: Array<{ tagName?: string; attributes?: Array<{ name: string }>; events?: Array<{ name: string }>; cssParts?: Array<{ name: string }> }> }>;
    };
    const elements = new Map(manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName!, d]));
    const names = (list?: Array<{ name: string }>) => (list ?? []).map((item) => item.name);
    assert.deepEqual([...elements.keys()].sort(), ['veil-player', 'veil-recorder', 'veil-session', 'veil-share-dialog']);
    assert.ok(names(elements.get('veil-player')!.attributes).includes('video'));
    assert.ok(names(elements.get('veil-player')!.events).includes('veil-error'));
    assert.ok(names(elements.get('veil-player')!.cssParts).includes('watermark'));
    for (const attribute of ['state', 'error-code', 'video-id', 'source', 'countdown']) {
      assert.ok(names(elements.get('veil-recorder')!.attributes).includes(attribute), attribute);
    }
    assert.ok(names(elements.get('veil-recorder')!.events).includes('veil-recording-ready'));
    for (const attribute of ['issuer', 'client-id', 'api', 'org', 'auto-sign-in']) {
      assert.ok(names(elements.get('veil-session')!.attributes).includes(attribute), attribute);
    }
  });
});
