/**
 * `preload.json` (scripts/preload-manifest.ts): what a page may `<link rel=modulepreload>` for an
 * entry — its static import closure and only the named lazy chunks, never another lazy chunk
 * (the engines: a denied viewer must download none).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputChunk, PluginContext } from 'rollup';
import { preloadManifest } from '../../scripts/preload-manifest.js';

type Fake = Pick<OutputChunk, 'type' | 'fileName' | 'name' | 'isEntry' | 'imports' | 'dynamicImports'>;

const chunk = (fileName: string, name: string, imports: string[] = [], dynamicImports: string[] = [], isEntry = false): Fake => ({
  type: 'chunk', fileName, name, isEntry, imports, dynamicImports,
});

function run(eager: string[], chunks: Fake[]): Record<string, string[]> {
  const bundle = Object.fromEntries(chunks.map((c) => [c.fileName, c]));
  let source = '';
  const context = { emitFile: (file: { source: string }) => ((source = file.source), 'ref') } as unknown as PluginContext;
  const hook = preloadManifest(eager).generateBundle as (this: PluginContext, options: unknown, bundle: unknown) => void;
  hook.call(context, {}, bundle);
  return JSON.parse(source) as Record<string, string[]>;
}

describe('preload manifest', () => {
  const chunks = [
    chunk('session.js', 'session', ['chunks/session-a.js', 'chunks/context-b.js'], [], true),
    chunk('chunks/session-a.js', 'session', ['chunks/context-b.js'], ['chunks/stored-session-c.js', 'chunks/oidc-provider-d.js']),
    chunk('chunks/context-b.js', 'context', ['chunks/errors-e.js']),
    chunk('chunks/errors-e.js', 'errors'),
    chunk('chunks/stored-session-c.js', 'stored-session', ['chunks/context-b.js']),
    chunk('chunks/oidc-provider-d.js', 'oidc-provider'),
    chunk('player.js', 'player', ['chunks/player-f.js'], [], true),
    chunk('chunks/player-f.js', 'player', ['chunks/context-b.js'], ['chunks/shaka-g.js', 'chunks/hls-engine-h.js']),
    chunk('chunks/shaka-g.js', 'shaka'),
    chunk('chunks/hls-engine-h.js', 'hls-engine'),
  ];

  it('lists each entry’s static closure and the named lazy chunks, not the entry itself', () => {
    const manifest = run(['stored-session'], chunks);
    assert.deepEqual(manifest['session'], ['chunks/context-b.js', 'chunks/errors-e.js', 'chunks/session-a.js', 'chunks/stored-session-c.js']);
    assert.deepEqual(manifest['player'], ['chunks/context-b.js', 'chunks/errors-e.js', 'chunks/player-f.js']);
  });

  it('never lists a lazy chunk that is not named (engines, the full OIDC client)', () => {
    const listed = Object.values(run(['stored-session'], chunks)).flat();
    for (const lazy of ['chunks/shaka-g.js', 'chunks/hls-engine-h.js', 'chunks/oidc-provider-d.js']) assert.ok(!listed.includes(lazy), lazy);
    assert.ok(!Object.values(run([], chunks)).flat().includes('chunks/stored-session-c.js'));
  });
});
