/**
 * The import rules of `src/` (DESIGN.md "Rules a test enforces"), as functions over an import
 * graph, so `test/server/boundaries.test.ts` can run them on the real tree and prove each one on
 * a small synthetic graph. Imports are read with TypeScript's own pre-processor: static imports,
 * re-exports, `import type` and dynamic `import()` all count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';

/** A file (path relative to `src/`, e.g. `playback/state.ts`) → what it imports: files under `src/`, or `pkg:<name>`. */
export type ImportGraph = Record<string, string[]>;

/** Folders whose modules are controllers or primitives below the elements. */
const CONTROLLER_FOLDERS = ['playback', 'watermark', 'audit', 'recording', 'sharing', 'api', 'identity', 'internal'];
/** The only package `protocol/` may use (schemas shared with the browser). */
const PROTOCOL_PACKAGES = new Set(['valibot']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** `lit/decorators.js` → `lit`, `@lit/context` → `@lit/context`, `node:fs` → `node:fs`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Resolves a relative specifier of `from` to a file of `files`; undefined when nothing matches. */
function resolveRelative(from: string, specifier: string, files: Set<string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = target.replace(/\.(js|ts|mjs)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.d.ts`, `${stem}/index.ts`, target]) if (files.has(candidate)) return candidate;
  return undefined;
}

/** The imports of every `.ts` file under `srcDir`; throws on a relative import that leads nowhere. */
export function readImportGraph(srcDir: string): ImportGraph {
  const paths = sourceFiles(srcDir);
  const files = new Set(paths.map((path) => relative(srcDir, path).split('\\').join('/')));
  const graph: ImportGraph = {};
  for (const path of paths) {
    const file = relative(srcDir, path).split('\\').join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    graph[file] = importedFiles.map(({ fileName }) => {
      if (!fileName.startsWith('.')) return `pkg:${packageName(fileName)}`;
      const resolved = resolveRelative(file, fileName, files);
      if (!resolved) throw new Error(`${file}: cannot resolve import '${fileName}'`);
      return resolved;
    });
  }
  return graph;
}

const top = (file: string) => file.split('/')[0]!;
/** `elements/player/x.ts` → `player`; files directly in `elements/` belong to no element. */
const elementOf = (file: string) => (file.startsWith('elements/') && file.split('/').length > 2 ? file.split('/')[1] : undefined);
const isController = (file: string) => CONTROLLER_FOLDERS.includes(top(file)) || /-controller\.ts$/.test(file);

/** Every import that breaks a rule, as `from → to: rule`. */
export function boundaryViolations(graph: ImportGraph): string[] {
  const violations: string[] = [];
  for (const [from, imports] of Object.entries(graph)) {
    for (const to of imports) {
      const packageImport = to.startsWith('pkg:');
      const say = (rule: string) => violations.push(`${from} → ${packageImport ? to.slice(4) : to}: ${rule}`);
      if (top(from) === 'protocol') {
        if (packageImport ? !PROTOCOL_PACKAGES.has(to.slice(4)) : top(to) !== 'protocol') say('protocol imports nothing (but valibot)');
      }
      if (top(from) === 'server' && !packageImport && top(to) !== 'server' && top(to) !== 'protocol') {
        say('server/** imports only protocol/ and server/**');
      }
      if (!packageImport && isController(from) && top(to) === 'elements') say('a controller never imports elements/');
      const fromElement = elementOf(from);
      const toElement = packageImport ? undefined : elementOf(to);
      if (fromElement && toElement && fromElement !== toElement) say('an element never imports another element');
    }
  }
  return violations;
}

/** The import cycles among the graph's files (Tarjan's strongly connected components), each sorted. */
export function importCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph[node] ?? []) {
      if (!(next in graph)) continue; // a package
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) !== indices.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph[node] ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of Object.keys(graph).sort()) if (!indices.has(node)) visit(node);
  return cycles;
}
