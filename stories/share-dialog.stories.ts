/**
 * `<veil-share-dialog>` in each of its states, driven like the player's stories: the real element
 * under the story-local session, and a stand-in for the sharing routes answering in the page
 * (the access document with its ETag, saves, directory search). Nothing goes on the network.
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, waitFor } from 'storybook/test';
import '../src/elements/share-dialog/define.js';
import type { VeilShareDialog } from '../src/elements/share-dialog/share-dialog.js';
import type { AccessChange, AccessDocument, DirectoryEntry } from '../src/protocol/sharing.js';
import { STORY_API } from './support/story-api.js';
import { signedInSession } from './support/story-session.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ALICE: DirectoryEntry = { principal: 'user:alice@acme.test', displayName: 'Alice Example', kind: 'user', email: 'alice@acme.test' };
const PEOPLE: DirectoryEntry[] = [
  { principal: 'user:bob@acme.test', displayName: 'Bob Example', kind: 'user', email: 'bob@acme.test' },
  { principal: 'user:carol@acme.test', displayName: 'Carol Example', kind: 'user', email: 'carol@acme.test' },
  { principal: 'group:acme-staff', displayName: 'Acme staff', kind: 'group' },
];

function accessDocument(overrides: Partial<AccessDocument>): AccessDocument {
  return {
    videoId: 'q3-all-hands',
    title: 'Q3 all hands',
    owner: ALICE,
    generalAccess: 'restricted',
    grants: [{ ...PEOPLE[0]!, role: 'viewer', expiresAt: Date.now() + 30 * DAY_MS }],
    requests: [],
    capabilities: { share: true, setGeneralAccess: true },
    limits: { orgAccessAllowed: true, defaultExpiryDays: null, maxExpiryDays: null },
    ...overrides,
  };
}

/** Answers the sharing routes of the story API from `document` (saves apply to it); `null`: the caller may not share (404). */
function installSharingApi(document: AccessDocument | null): () => void {
  const original = globalThis.fetch;
  let version = 1;
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const stub: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== new URL(STORY_API).origin) return original(input, init);
    const request = new Request(input, init);
    if (!document) return json({ error: { code: 'VIDEO_NOT_FOUND', message: 'This video does not exist or is no longer available.' } }, 404);
    if (url.pathname === '/api/directory/search') {
      const { query } = (await request.json()) as { query: string };
      return json({ results: PEOPLE.filter((entry) => entry.displayName.toLowerCase().includes(query.toLowerCase())) });
    }
    if (request.method === 'POST') {
      const { changes } = (await request.json()) as { changes: AccessChange[] };
      for (const change of changes) {
        if (change.op === 'general-access') document.generalAccess = change.value;
        else document.requests = document.requests.filter((entry) => entry.principal !== change.principal);
        if (change.op === 'revoke' || change.op === 'deny') document.grants = document.grants.filter((grant) => grant.principal !== change.principal);
        if (change.op === 'grant' || change.op === 'approve') {
          const entry = PEOPLE.find((person) => person.principal === change.principal)!;
          document.grants = [...document.grants.filter((grant) => grant.principal !== change.principal), { ...entry, role: change.role, expiresAt: change.expiresAt ?? null }];
        }
      }
      version += 1;
    }
    return json(document, 200, { etag: `"access-${version}"` });
  };
  globalThis.fetch = stub;
  return () => {
    if (globalThis.fetch === stub) globalThis.fetch = original;
  };
}

interface DialogArgs {
  video: string;
}
type Story = StoryObj<DialogArgs>;

const meta: Meta<DialogArgs> = {
  title: 'Elements/veil-share-dialog',
  component: 'veil-share-dialog',
  args: { video: 'q3-all-hands' },
  render: ({ video }) => html`<story-session .session=${signedInSession({ claims: { sub: 'alice@acme.test', email: 'alice@acme.test' } })}>
    <veil-share-dialog video=${video} open></veil-share-dialog>
  </story-session>`,
};
export default meta;

function dialogIn(canvasElement: HTMLElement): VeilShareDialog {
  const dialog = canvasElement.querySelector('veil-share-dialog');
  if (!dialog) throw new Error('no <veil-share-dialog> in the story');
  return dialog;
}

const shadow = (dialog: VeilShareDialog, selector: string) => dialog.shadowRoot!.querySelector(selector);

/** The owner's dialog: bob has access for 30 days, general access restricted. */
export const Open: Story = {
  beforeEach: () => installSharingApi(accessDocument({})),
  play: async ({ canvasElement }) => {
    const dialog = dialogIn(canvasElement);
    await dialog.ready;
    await waitFor(() => expect((shadow(dialog, 'dialog') as HTMLDialogElement | null)?.open).toBe(true));
    expect(dialog.grants.map((grant) => grant.principal)).toEqual(['user:bob@acme.test']);
  },
};

/** A member asked for access: the request waits under "Asking for access" with Approve and Deny. */
export const PendingRequest: Story = {
  beforeEach: () => installSharingApi(accessDocument({ requests: [{ ...PEOPLE[1]!, requestedAt: Date.now() - 60_000 }] })),
  play: async ({ canvasElement }) => {
    const dialog = dialogIn(canvasElement);
    await dialog.ready;
    await waitFor(() => expect(shadow(dialog, 'button[aria-label="Approve Carol Example as viewer"]')).not.toBeNull());
    expect(dialog.requests.map((request) => request.principal)).toEqual(['user:carol@acme.test']);
  },
};

/** Open to everyone in the organisation (still nobody outside it). */
export const GeneralAccessOrg: Story = {
  beforeEach: () => installSharingApi(accessDocument({ generalAccess: 'org' })),
  play: async ({ canvasElement }) => {
    const dialog = dialogIn(canvasElement);
    await dialog.ready;
    await waitFor(() => expect((shadow(dialog, 'input[value="org"]') as HTMLInputElement | null)?.checked).toBe(true));
  },
};

/** The org's policy forbids org-wide access and caps grants at 30 days. */
export const PolicyLimits: Story = {
  beforeEach: () => installSharingApi(accessDocument({ capabilities: { share: true, setGeneralAccess: false }, limits: { orgAccessAllowed: false, defaultExpiryDays: 7, maxExpiryDays: 30 } })),
  play: async ({ canvasElement }) => {
    const dialog = dialogIn(canvasElement);
    await dialog.ready;
    await waitFor(() => expect((shadow(dialog, 'input[value="org"]') as HTMLInputElement | null)?.disabled).toBe(true));
    expect(shadow(dialog, '#org-hint')!.textContent).toContain('does not allow');
  },
};

/** A viewer who may not share: no dialog, only why (`SHARE_NOT_ALLOWED`). */
export const NotAllowed: Story = {
  beforeEach: () => installSharingApi(null),
  play: async ({ canvasElement }) => {
    const dialog = dialogIn(canvasElement);
    await expect(dialog.ready).rejects.toMatchObject({ code: 'SHARE_NOT_ALLOWED' });
    await waitFor(() => expect(shadow(dialog, '[part="message"]')!.textContent).toContain('cannot change who has access'));
    expect(shadow(dialog, 'dialog')).toBeNull();
  },
};
