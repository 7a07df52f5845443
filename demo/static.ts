/**
 * Static files for the demo: the built library under `/veil/`, demo assets under `/assets/`.
 * Only known file types directly below (or one level below) the root are served.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export async function serveStatic(root: string, relativePath: string): Promise<Response | undefined> {
  const type = TYPES[relativePath.slice(relativePath.lastIndexOf('.'))];
  const path = normalize(join(root, relativePath));
  if (!type || !path.startsWith(root + sep) || relativePath.includes('..')) return undefined;
  try {
    const body = await readFile(path);
    return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'cache-control': 'no-cache' } });
  } catch {
    return undefined;
  }
}

/**
 * The chunks to `<link rel=modulepreload>` for a page loading these library entries, from the
 * build's `preload.json` (read per page: a rebuild under a running demo applies at once). None
 * when the build has no such file.
 */
export function modulePreloads(distDir: string, entries: readonly string[]): string[] {
  let manifest: Record<string, string[]>;
  try {
    manifest = JSON.parse(readFileSync(join(distDir, 'preload.json'), 'utf8')) as Record<string, string[]>;
  } catch {
    return [];
  }
  return [...new Set(entries.flatMap((entry) => manifest[entry] ?? []))];
}
