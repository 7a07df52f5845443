/**
 * Writes `dist/preload.json`: for each entry, the chunks a page loading it fetches before the
 * element can act — the entry's static imports (transitively) and the lazy chunks named in
 * `eager` that it imports on its first run. A page turns them into `<link rel=modulepreload>`
 * so the browser fetches them with the entry instead of one module level after another.
 * Only what every viewer needs goes in: never an engine chunk (a denied viewer downloads none).
 */
import type { OutputChunk, Plugin } from 'rollup';

export type PreloadManifest = Record<string, string[]>;

export function preloadManifest(eager: readonly string[], fileName = 'preload.json'): Plugin {
  return {
    name: 'preload-manifest',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, OutputChunk>();
      for (const output of Object.values(bundle)) if (output.type === 'chunk') chunks.set(output.fileName, output);
      const manifest: PreloadManifest = {};
      for (const chunk of chunks.values()) if (chunk.isEntry) manifest[chunk.name] = preloadsOf(chunk, chunks, new Set(eager));
      this.emitFile({ type: 'asset', fileName, source: `${JSON.stringify(manifest, null, 2)}\n` });
    },
  };
}

/** The static import closure of `entry`, plus the `eager` lazy chunks reached from it (and their closures). */
function preloadsOf(entry: OutputChunk, chunks: Map<string, OutputChunk>, eager: Set<string>): string[] {
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    const chunk = chunks.get(fileName);
    if (!chunk || seen.has(fileName)) return;
    seen.add(fileName);
    chunk.imports.forEach(visit);
    for (const lazy of chunk.dynamicImports) if (eager.has(chunks.get(lazy)?.name ?? '')) visit(lazy);
  };
  visit(entry.fileName);
  seen.delete(entry.fileName);
  return [...seen].sort();
}
