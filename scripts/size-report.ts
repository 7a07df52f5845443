/**
 * Prints every emitted chunk's minified and gzip size, and fails the build when a chunk exceeds
 * its budget in `size-budget.json`, or has none (the way hls.js checks `dist-size-budget.json`).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'rollup';

interface Budget {
  /** Chunk name (entry name or dynamic-import chunk name) → max gzip bytes. */
  [chunk: string]: number;
}

export function reportSizes(budgetFile = 'size-budget.json'): Plugin {
  return {
    name: 'size-report',
    generateBundle(_options, bundle) {
      const budget = JSON.parse(readFileSync(budgetFile, 'utf8')) as Budget;
      const rows: Array<[string, number, number]> = [];
      const over: string[] = [];
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        const gzip = gzipSync(output.code, { level: 9 }).length;
        rows.push([output.fileName, output.code.length, gzip]);
        const limit = budget[output.name];
        if (limit === undefined) over.push(`${output.fileName}: no budget for chunk "${output.name}" in ${budgetFile}`);
        else if (gzip > limit) over.push(`${output.fileName}: ${gzip} B gzip > budget ${limit} B`);
      }
      rows.sort((a, b) => a[0].localeCompare(b[0]));
      const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
      console.log('\nchunk sizes (minified, gzip):');
      for (const [file, min, gzip] of rows) console.log(`  ${file.padEnd(40)} ${kib(min)} ${kib(gzip)}`);
      if (over.length) this.error(`size budget exceeded:\n  ${over.join('\n  ')}`);
    },
  };
}
