import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

const FIXTURE = fileURLToPath(new URL('./react-usage.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const AMBIENT = `${ROOT}src/types/hls-light.d.ts`; // the library's own module declarations
let previous: ts.Program | undefined;

/** Type-checks the fixture (with its imports) under the repository's compiler options, source replaced. */
function diagnostics(source: string): string[] {
  const { config } = ts.readConfigFile(`${ROOT}tsconfig.json`, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === FIXTURE ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  // The second run reuses the first program's unchanged files (the whole src/ tree): half the time.
  const program = ts.createProgram([FIXTURE, AMBIENT], options, host, previous);
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? `${d.file.fileName.slice(ROOT.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '(global)'} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('veil-video/react types (@lit/react wrappers)', () => {
  const source = readFileSync(FIXTURE, 'utf8');
  // 1-based numbers of the lines each directive guards (the line after it).
  const guarded = source.split('\n').flatMap((line, index) => (line.startsWith('// @ts-expect-error') ? [index + 2] : []));

  it('accept the props and typed callbacks a host app writes', () => {
    assert.ok(guarded.length >= 4);
    assert.deepEqual(diagnostics(source), []);
  });

  it('reject a wrong prop type, an event the element never fires and a wrong detail', () => {
    const errors = diagnostics(source.replaceAll('// @ts-expect-error', '// (was expected to fail)'));
    // Exactly one error on each guarded line: the mistakes are real, not merely suppressed.
    const lines = errors.map((error) => Number(/^test\/consumers\/react-usage\.ts:(\d+) /.exec(error)?.[1]));
    assert.deepEqual(lines, guarded, errors.join('\n'));
  });
});
