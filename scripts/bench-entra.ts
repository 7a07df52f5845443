/**
 * Part of the benchmark: the JS a viewer downloads on the Entra path (`<veil-session
 * provider="entra">`: the provider chunk and the msal-browser chunks it pulls in) beside the OIDC
 * path (the dev IdP's provider, oidc-client-ts) as the baseline, read from the built `dist`. Both
 * paths share what the watch page loads up front (`session.js` + `player.js` and their static
 * imports); each adds its provider chunk with everything that chunk imports, statically or lazily
 * (an upper bound: a viewer who signs in needs all of it). Engines are left out: they are the
 * same on both paths. Counted like the start-up part counts scripts (`gzipBytes`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipBytes } from './bench-browser.js';
import type { BenchPart } from './bench-part.js';
import { figure, ratioFigure, type Figures } from './bench-stats.js';

const DIST = resolve(import.meta.dirname, '../dist');
/** What the demo's watch page loads before any identity provider. */
const PAGE_ENTRIES = ['session.js', 'player.js'];
/** `import … from "./x.js"`, `import "./x.js"` and `import("./x.js")` in rollup's minified output. */
const IMPORT = /\b(?:from|import)\s*(\()?\s*"(\.{1,2}\/[^"]+\.js)"/g;

function importsOf(file: string): { static: string[]; lazy: string[] } {
  const found = { static: [] as string[], lazy: [] as string[] };
  for (const [, call, path] of readFileSync(file, 'utf8').matchAll(IMPORT)) (call ? found.lazy : found.static).push(resolve(dirname(file), path!));
  return found;
}

/** `files` and everything they import statically, plus lazily when `lazy`. */
function closure(files: readonly string[], lazy: boolean): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const imports = importsOf(file);
    for (const next of lazy ? [...imports.static, ...imports.lazy] : imports.static) visit(next);
  };
  files.forEach(visit);
  return seen;
}

/** The chunk `src/identity/registry.ts` loads for a provider name (oidc: the stored-session fast path, which loads oidc-client-ts's chunk when it needs it). */
const PROVIDER_CHUNKS: Record<string, string> = { oidc: 'stored-session', entra: 'entra-provider' };

/** The provider chunk the page's session element loads lazily for `provider` (`oidc`, `entra`). */
function providerChunk(page: Set<string>, provider: string): string {
  const lazy = [...page].flatMap((file) => importsOf(file).lazy);
  const name = PROVIDER_CHUNKS[provider];
  const chunk = lazy.find((file) => relative(DIST, file).startsWith(`chunks/${name}-`));
  if (!chunk) throw new Error(`bench-entra: no lazily loaded ${name} chunk in dist (run \`npm run build\`)`);
  return chunk;
}

function gzipTotal(files: Iterable<string>): number {
  let total = 0;
  for (const file of files) total += gzipBytes(readFileSync(file));
  return total;
}

/** Gzip bytes of the page's up-front JS plus one provider's chunks. */
export function identityPathBytes(provider: string): number {
  const page = closure(
    PAGE_ENTRIES.map((entry) => join(DIST, entry)),
    false,
  );
  return gzipTotal(new Set([...page, ...closure([providerChunk(page, provider)], true)]));
}

export const entraBytesPart: BenchPart = {
  name: 'entra',
  async run() {
    // The files do not change within a run: one reading is the figure (n = 1).
    const entra = identityPathBytes('entra');
    const oidc = identityPathBytes('oidc');
    const figures: Figures = {
      'entra.bytes.entra_js_gzip': figure([entra], 0),
      'entra.bytes.oidc_js_gzip': figure([oidc], 0),
      'entra.bytes.ratio': ratioFigure([entra], [oidc]),
    };
    return figures;
  },
  rows: [
    {
      label: '**Entra path bytes**: JS of the watch page + identity provider, `provider="entra"` (msal-browser), gzip (baseline: the OIDC provider, oidc-client-ts)',
      veil: 'entra.bytes.entra_js_gzip',
      baseline: 'entra.bytes.oidc_js_gzip',
      ratio: 'entra.bytes.ratio',
      unit: 'B',
    },
  ],
};
