import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Plugin, RollupOptions } from 'rollup';
import { parallelImports } from './scripts/parallel-imports.js';
import { preloadManifest } from './scripts/preload-manifest.js';
import { reportSizes } from './scripts/size-report.js';

/** hls.js's worker, served as a file because a strict CSP forbids the `blob:` worker it would build. */
function copyHlsWorker(): Plugin {
  return {
    name: 'copy-hls-worker',
    writeBundle(options) {
      const dir = options.dir ?? 'dist';
      mkdirSync(dir, { recursive: true });
      copyFileSync('node_modules/hls.js/dist/hls.worker.js', `${dir}/hls.worker.js`);
    },
  };
}

const config: RollupOptions = {
  input: {
    index: 'src/index.ts',
    define: 'src/define.ts',
    session: 'src/elements/session/define.ts',
    player: 'src/elements/player/define.ts',
    recorder: 'src/elements/recorder/define.ts',
    'share-dialog': 'src/elements/share-dialog/define.ts',
    'entra-redirect-bridge': 'src/identity/entra/redirect-bridge.ts',
    'entra-popup-relay': 'src/identity/entra/popup-relay.ts',
    react: 'src/react/index.ts',
  },
  // React is the host app's (an optional peer): `veil-video/react` imports it, never bundles it.
  external: (id) => id === 'react' || id.startsWith('react/'),
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: true,
    entryFileNames: '[name].js',
    // Flat: every chunk sits beside the entries, so `new URL('./x', import.meta.url)` works anywhere.
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
  preserveEntrySignatures: 'strict',
  plugins: [
    nodeResolve({ browser: true }),
    commonjs(),
    typescript({ tsconfig: './tsconfig.build.json', declaration: false, emitDeclarationOnly: false, declarationDir: undefined, sourceMap: true, outDir: 'dist' }),
    terser({ format: { comments: false }, ecma: 2020, module: true }),
    copyHlsWorker(),
    reportSizes(),
    // The stored sign-in is what `<veil-session>` imports first (oidc, the default issuer kind).
    preloadManifest(['stored-session']),
    // A lazy chunk's small shared chunks (the player's core, the engines) are fetched with it, not after it has been parsed.
    parallelImports(['player-core', 'shaka', 'hls', 'hls-eme']),
  ],
  onwarn(warning, warn) {
    // shaka-player's compiled build assigns `this` at top level; harmless in ESM.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
};

/**
 * `veil-video/server` and `veil-video/server/node`: the reference service for Node, unminified,
 * every dependency (and node:*) external, declarations beside it in dist/server/types.
 */
const server: RollupOptions = {
  input: { index: 'src/server/index.ts', node: 'src/server/node.ts' },
  output: { dir: 'dist/server', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  preserveEntrySignatures: 'strict',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
  plugins: [
    typescript({ tsconfig: './tsconfig.server.json', declaration: true, declarationDir: 'dist/server/types', sourceMap: true, outDir: 'dist/server' }),
  ],
};

export default [config, server];
