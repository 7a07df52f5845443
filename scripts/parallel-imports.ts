/**
 * Rollup plugin: a dynamic import of one of the `names` chunks also imports that chunk's static
 * imports at the same time. Without it the browser discovers them only once it has parsed the
 * chunk — for the engines (shaka 0.5 MB) one more network level before the first manifest
 * request. Chunks the importing chunk loads itself are left out (they are in the module map
 * already). Nothing is fetched that the chunk would not fetch itself, and only when the import
 * runs (a viewer denied before it downloads none of it). The wrapper is rendered through rollup's
 * `renderDynamicImport`, so source maps stay right.
 */
import type { Plugin, PluginContext } from 'rollup';

export function parallelImports(names: readonly string[]): Plugin {
  const wanted = new Set(names);
  return {
    name: 'parallel-imports',
    renderDynamicImport({ chunk, targetChunk, getTargetChunkImports }) {
      if (!targetChunk || !wanted.has(targetChunk.name)) return null;
      const loaded = staticClosure(this, chunk.moduleIds);
      const shared = (getTargetChunkImports() ?? []).flatMap((entry) =>
        entry.type === 'internal' && entry.fileName !== chunk.fileName && !entry.chunk.moduleIds.some((id) => loaded.has(id)) ? [`import(${entry.resolvedImportPath})`] : [],
      );
      if (shared.length === 0) return null;
      return { left: 'Promise.all([import(', right: `),${shared.join(',')}]).then((modules)=>modules[0])` };
    },
  };
}

/** The modules `ids` import statically, transitively (themselves included). */
function staticClosure(context: PluginContext, ids: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    context.getModuleInfo(id)?.importedIds.forEach(visit);
  };
  ids.forEach(visit);
  return seen;
}
