/**
 * scripts/parallel-imports.ts: an engine's dynamic import also imports the chunks it imports
 * statically — only those the importing chunk does not load itself, and only for named chunks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PluginContext } from 'rollup';
import { parallelImports } from '../../scripts/parallel-imports.js';

/** Module graph: the player module imports `context`; shaka imports `context` and `tracks`. */
const IMPORTS: Record<string, string[]> = { player: ['context'], context: [], shaka: ['context', 'tracks'], tracks: [], stored: [] };
const context = { getModuleInfo: (id: string) => ({ importedIds: IMPORTS[id] ?? [] }) } as unknown as PluginContext;

type Hook = (this: PluginContext, options: unknown) => { left: string; right: string } | null;

function render(targetName: string, targetImports: Array<{ fileName: string; path: string; moduleIds: string[] }>) {
  const hook = parallelImports(['shaka']).renderDynamicImport as unknown as Hook;
  return hook.call(context, {
    chunk: { fileName: 'chunks/player-a.js', moduleIds: ['player'] },
    targetChunk: { fileName: `chunks/${targetName}-b.js`, name: targetName },
    getTargetChunkImports: () => targetImports.map((entry) => ({ type: 'internal', fileName: entry.fileName, resolvedImportPath: entry.path, chunk: { moduleIds: entry.moduleIds } })),
  });
}

describe('parallel imports', () => {
  it("imports a named chunk's static imports beside it, leaving out what the importer already loads", () => {
    const result = render('shaka', [
      { fileName: 'chunks/context-c.js', path: "'./context-c.js'", moduleIds: ['context'] },
      { fileName: 'chunks/tracks-d.js', path: "'./tracks-d.js'", moduleIds: ['tracks'] },
      { fileName: 'chunks/player-a.js', path: "'./player-a.js'", moduleIds: ['player'] },
    ]);
    assert.deepEqual(result, { left: 'Promise.all([import(', right: "),import('./tracks-d.js')]).then((modules)=>modules[0])" });
  });

  it('leaves other chunks, and a named chunk with nothing new to fetch, as rollup renders them', () => {
    assert.equal(render('stored-session', [{ fileName: 'chunks/tracks-d.js', path: "'./tracks-d.js'", moduleIds: ['tracks'] }]), null);
    assert.equal(render('shaka', [{ fileName: 'chunks/context-c.js', path: "'./context-c.js'", moduleIds: ['context'] }]), null);
  });
});
