/**
 * The element contract: `custom-elements.json` (generated from the class JSDoc and decorators by
 * the analyzer `npm run analyze` runs) lists exactly the public surface of each element — no
 * controller callbacks leaking out as members, no events that are not Veil's, nothing missing.
 * The analyzer runs here on the current source, so a stale manifest cannot hide a change.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

interface Named {
  name: string;
  kind?: string;
  privacy?: string;
  static?: boolean;
}
interface Declaration {
  tagName?: string;
  attributes?: Named[];
  members?: Named[];
  events?: Named[];
  cssParts?: Named[];
}

const EXPECTED: Record<string, { attributes: string[]; properties: string[]; methods: string[]; events: string[]; cssParts: string[] }> = {
  'veil-session': {
    attributes: ['status', 'provider', 'issuer', 'tenant', 'client-id', 'api', 'org', 'groups', 'email-domains', 'auto-sign-in', 'scope', 'redirect-uri', 'post-logout-redirect-uri'],
    properties: ['provider', 'issuer', 'tenant', 'clientId', 'api', 'org', 'groups', 'emailDomains', 'autoSignIn', 'scope', 'redirectUri', 'postLogoutRedirectUri', 'status', 'claims'],
    methods: ['signIn', 'signOut', 'getAccessToken'],
    events: ['veil-signed-in', 'veil-signed-out', 'veil-error', 'veil-audit'],
    cssParts: [],
  },
  'veil-player': {
    attributes: ['state', 'error-code', 'video', 'autoplay', 'hls-worker-url', 'protocol-hint'],
    properties: ['video', 'autoplay', 'hlsWorkerUrl', 'protocolHint', 'engineLoader', 'media', 'audit', 'state', 'error', 'paused', 'currentTime', 'duration', 'muted', 'volume', 'securityEvents'],
    methods: ['play', 'pause'],
    events: ['veil-error', 'veil-request-access', 'veil-access-requested', 'veil-token-renewed', 'veil-audit', 'veil-watermark-tampered', 'veil-watermark-restored', 'play'],
    cssParts: ['video', 'watermark', 'message', 'request-access', 'controls'],
  },
  'veil-recorder': {
    attributes: ['state', 'error-code', 'video-id', 'source', 'countdown', 'max-duration', 'no-microphone'],
    properties: ['source', 'countdown', 'maxDuration', 'noMicrophone', 'state', 'error', 'videoId'],
    methods: ['start', 'stop', 'pause', 'resume'],
    events: ['veil-recording-ready', 'veil-upload-restarted', 'veil-error'],
    cssParts: ['preview', 'playback', 'controls', 'level', 'progress'],
  },
  'veil-share-dialog': {
    attributes: ['video', 'open'],
    properties: ['video', 'open', 'ready', 'grants', 'generalAccess', 'requests'],
    methods: ['search', 'grant', 'revoke', 'setGeneralAccess', 'approveRequest', 'denyRequest', 'show', 'close'],
    events: ['veil-share-change', 'veil-request-save', 'veil-request-close', 'veil-error'],
    cssParts: ['dialog', 'picker', 'option', 'grant', 'request', 'general-access', 'actions', 'message'],
  },
};

// The analyzer takes its output directory relative to the working directory.
const outdir = `.cache/cem-test-${process.pid}`;
mkdirSync(outdir, { recursive: true });
// Without this the analyzer points package.json's `customElements` at the test's output.
const config = join(outdir, 'cem.config.mjs');
writeFileSync(config, 'export default { packagejson: false };\n');
after(() => rmSync(outdir, { recursive: true, force: true }));

function analyze(): Map<string, Declaration> {
  const result = spawnSync(
    'npx',
    ['cem', 'analyze', '--config', config, '--litelement', '--globs', 'src/elements/**/*.ts', '--exclude', 'src/elements/**/*.styles.ts', '--outdir', outdir],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  const manifest = JSON.parse(readFileSync(join(outdir, 'custom-elements.json'), 'utf8')) as { modules: Array<{ declarations?: Declaration[] }> };
  const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
  return new Map(elements.map((d) => [d.tagName!, d]));
}

const names = (list: Named[] | undefined) => (list ?? []).map((item) => item.name).sort();
const isPublic = (member: Named) => !member.static && member.privacy !== 'private' && member.privacy !== 'protected' && !member.name.startsWith('#');

/** The events `src/react/index.ts` passes to `createComponent` for `tag` (read from the source: it needs no DOM). */
function reactEvents(tag: string): string[] {
  const source = readFileSync('src/react/index.ts', 'utf8');
  const component = new RegExp(`tagName: '${tag}',[\\s\\S]*?events: veilEvents\\(([^)]*)\\)`).exec(source);
  assert.ok(component, `src/react/index.ts has no component for <${tag}>`);
  return [...component[1].matchAll(/'([^']+)'/g)].map((match) => match[1]).sort();
}

describe('custom-elements.json lists exactly the public surface of each element', () => {
  const elements = analyze();

  it('has exactly the Veil elements', () => {
    assert.deepEqual([...elements.keys()].sort(), Object.keys(EXPECTED).sort());
  });

  for (const [tag, expected] of Object.entries(EXPECTED)) {
    describe(`<${tag}>`, () => {
      const element = () => elements.get(tag)!;
      it('attributes (`state`/`status` and `error-code` are reflected, read-only)', () => {
        assert.deepEqual(names(element().attributes), [...expected.attributes].sort());
      });
      it('properties', () => {
        const fields = (element().members ?? []).filter((m) => m.kind === 'field' && isPublic(m));
        assert.deepEqual(names(fields), [...expected.properties].sort());
      });
      it('methods (no controller callbacks)', () => {
        const methods = (element().members ?? []).filter((m) => m.kind === 'method' && isPublic(m));
        assert.deepEqual(names(methods), [...expected.methods].sort());
      });
      it('events (only documented ones, none named after a variable)', () => {
        assert.deepEqual(names(element().events), [...expected.events].sort());
      });
      it('CSS parts', () => {
        assert.deepEqual(names(element().cssParts), [...expected.cssParts].sort());
      });
      it('the React component (veil-video/react) has a callback prop for every Veil event', () => {
        const veilEvents = expected.events.filter((event) => event.startsWith('veil-')).sort();
        assert.deepEqual(reactEvents(tag), veilEvents);
      });
    });
  }
});
