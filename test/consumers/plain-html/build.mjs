// The "build" of a site without a bundler: the page with its API origin filled in, its own two
// scripts, and the library's browser files copied from the installed package (found through its
// `exports`, as Node resolves them).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const origin = process.env.VEIL_ORIGIN;
if (!origin) throw new Error('VEIL_ORIGIN is not set');
const out = new URL('./dist/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
writeFileSync(new URL('index.html', out), readFileSync(new URL('./index.html', import.meta.url), 'utf8').replaceAll('%VEIL_ORIGIN%', origin));
for (const file of ['app.js', 'trusted-types.js']) cpSync(new URL(file, import.meta.url), new URL(file, out));
const library = dirname(fileURLToPath(import.meta.resolve('veil-video/define')));
// The browser files only: the server build and the declarations stay out of the site.
cpSync(library, fileURLToPath(new URL('veil/', out)), { recursive: true, filter: (path) => !/\/(server|types)$/.test(path) && !path.endsWith('.map') });
