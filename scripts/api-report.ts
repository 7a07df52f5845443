/**
 * API Extractor reports of the package's public exports: one `etc/<name>.api.md` per subpath in
 * package.json `exports` that has types, so a change to the public API shows up in review.
 * `npm run api-report` (after `npm run build`) rewrites the reports; test/server/api-report.test.ts
 * fails when the build's API differs from them.
 */
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const UPDATE_COMMAND = 'npm run build && npm run api-report';

export interface ApiReport {
  /** Package subpath, e.g. `.` or `./react`. */
  subpath: string;
  /** The checked-in report, e.g. `<root>/etc/veil-video-react.api.md`. */
  file: string;
  /** False when the build's API differs from the checked-in report (in check mode). */
  matches: boolean;
  /** Errors (a declaration API Extractor cannot read), not the report difference. */
  errors: string[];
}

/** `.` → `veil-video`, `./server/node` → `veil-video-server-node`. */
function reportName(subpath: string): string {
  return ['veil-video', ...subpath.replace(/^\.\/?/, '').split('/').filter(Boolean)].join('-');
}

/** Subpath → declaration file, for every typed subpath of package.json `exports`. */
function typedExports(): Array<[string, string]> {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { exports: Record<string, string | { types?: string }> };
  return Object.entries(pkg.exports).flatMap(([subpath, target]) => (typeof target === 'object' && target.types ? [[subpath, target.types] as [string, string]] : []));
}

export interface ApiReportOptions {
  /** Rewrite the reports instead of checking them. */
  update?: boolean;
  /** Only these subpaths (default: all). */
  subpaths?: string[];
  /** Where the checked-in reports are (default `etc/`; the test points it at a copy). */
  reportFolder?: string;
}

/** Checks (or, with `update`, rewrites) every report. */
export function apiReports({ update = false, subpaths, reportFolder = `${ROOT}etc/` }: ApiReportOptions = {}): ApiReport[] {
  if (update) mkdirSync(reportFolder, { recursive: true });
  const entries = typedExports().filter(([subpath]) => !subpaths || subpaths.includes(subpath));
  return entries.map(([subpath, types]) => {
    const name = reportName(subpath);
    const configObject: IConfigFile = {
      projectFolder: ROOT,
      mainEntryPointFilePath: `<projectFolder>/${types.replace(/^\.\//, '')}`,
      compiler: {
        // Only the built declarations; the libraries they import resolve from node_modules.
        overrideTsconfig: {
          compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: ['node'], strict: true, skipLibCheck: true },
          files: [`${ROOT}${types.replace(/^\.\//, '')}`],
        },
      },
      apiReport: { enabled: true, reportFileName: name, reportFolder, reportTempFolder: '<projectFolder>/.cache/api-extractor/' },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.None },
          // A type the API uses but the entry does not export: noted in the report, where review sees it.
          'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      },
    };
    const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: `${ROOT}package.json` });
    const errors: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: update,
      messageCallback: (message) => {
        // The report difference is the result below; everything else at error level is a failure.
        if (/^console-api-report-(changed|copied|created|folder-missing|not-copied)$/.test(message.messageId)) {
          message.handled = true;
          return;
        }
        if (message.logLevel === ExtractorLogLevel.Error) errors.push(message.formatMessageWithLocation(ROOT));
        message.handled = true;
      },
    });
    const file = `${reportFolder}${name}.api.md`;
    return { subpath, file, matches: update || (existsSync(file) && !result.apiReportChanged), errors };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const reports = apiReports({ update: true });
  for (const report of reports) console.log(`${report.file}${report.errors.length ? `\n  ${report.errors.join('\n  ')}` : ''}`);
  if (reports.some((report) => report.errors.length)) process.exitCode = 1;
}
