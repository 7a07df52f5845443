/**
 * The dev IdP's sign-in interaction (`/interaction/<uid>`, `/login`, `/abort`): the CSP-safe
 * sign-in form, password check with account lockout, automatic consent for first-party clients,
 * cancel. oidc-provider sends the browser here and is told the result.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors as oidcErrors, type Grant, type Interaction } from 'oidc-provider';
import { html } from './html.js';
import type { AccountLockout } from './lockout.js';
import { errorPage, loginPage, messagePage } from './pages.js';
import { methodNotAllowed, notFound, sendHtml } from './respond.js';
import { authenticate } from './users.js';

const MAX_FORM_BYTES = 16 * 1024;
const REFUSED = 'Incorrect email or password.';

/** The same text for every login, known or not: it says nothing about which accounts exist. */
function lockedMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed sign-in attempts: this account is locked. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export interface InteractionOptions {
  provider: Provider;
  mountPath: string;
  assetsPath: string;
  firstParty: ReadonlySet<string>;
  /** The sign-in page's CSP (its `form-action` allows the clients' redirect origins). */
  formCsp: string;
  lockout: AccountLockout;
}

class FormError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FormError(415, 'Expected a form submission (application/x-www-form-urlencoded).');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new FormError(413, 'The form submission is too large.');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Returns the handler for paths below the mount path that start with `/interaction/`. */
export function createInteractions(options: InteractionOptions): (req: IncomingMessage, res: ServerResponse, rest: string) => Promise<void> {
  const { provider, mountPath, assetsPath, firstParty, formCsp, lockout } = options;

  async function autoConsent(interaction: Interaction): Promise<string> {
    const accountId = interaction.session?.accountId;
    const clientId = interaction.params.client_id;
    if (!accountId || !clientId) throw new Error('consent without a session');
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    let grant: Grant | undefined = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
    grant ??= new provider.Grant({ accountId, clientId });
    if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    return grant.save();
  }

  async function loadInteraction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<Interaction | undefined> {
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (error) {
      if (error instanceof oidcErrors.SessionNotFound) {
        sendHtml(
          res,
          400,
          messagePage(assetsPath, 'Sign-in expired', html`<p>This sign-in page has expired. Go back to the application and sign in again.</p>`),
        );
        return undefined;
      }
      throw error;
    }
    if (interaction.uid !== uid) {
      sendHtml(res, 400, errorPage(assetsPath, { error: 'invalid_request', description: 'interaction mismatch' }));
      return undefined;
    }
    return interaction;
  }

  function renderLogin(
    res: ServerResponse,
    interaction: Interaction,
    status: number,
    extra: { login?: string; error?: string } = {},
    headers: Record<string, string> = {},
  ): void {
    const base = `${mountPath}/interaction/${encodeURIComponent(interaction.uid)}`;
    const clientId = interaction.params.client_id ?? '';
    sendHtml(res, status, loginPage({ assetsPath, action: `${base}/login`, abortAction: `${base}/abort`, clientName: clientId, ...extra }), {
      'content-security-policy': formCsp,
      ...headers,
    });
  }

  async function show(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, assetsPath, 'GET, HEAD');
    const interaction = await loadInteraction(req, res, uid);
    if (!interaction) return;
    switch (interaction.prompt.name) {
      case 'login':
        return renderLogin(res, interaction, 200, { login: stringParam(interaction.params.login_hint) });
      case 'consent': {
        const clientId = interaction.params.client_id ?? '';
        if (!firstParty.has(clientId)) {
          sendHtml(res, 403, errorPage(assetsPath, { error: 'access_denied', description: 'unknown client' }));
          return;
        }
        const grantId = await autoConsent(interaction);
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return;
      }
      default:
        sendHtml(res, 400, errorPage(assetsPath, { error: 'invalid_request', description: `unsupported prompt ${interaction.prompt.name}` }));
        return;
    }
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, interaction: Interaction, form: URLSearchParams): Promise<void> {
    const login = form.get('login') ?? '';
    const password = form.get('password') ?? '';
    // The password is checked (in constant time) before the lock is looked at, whether the
    // account exists or not: a locked, an unknown and a known login cost the same.
    const user = authenticate(login, password);
    let lockedFor = await lockout.lockedFor(login);
    if (!lockedFor && !user) lockedFor = await lockout.failed(login);
    if (lockedFor) {
      renderLogin(res, interaction, 429, { login, error: lockedMessage(lockedFor) }, { 'retry-after': String(lockedFor) });
      return;
    }
    if (!user) {
      renderLogin(res, interaction, 401, { login, error: REFUSED });
      return;
    }
    await lockout.succeeded(login);
    await provider.interactionFinished(req, res, { login: { accountId: user.sub, remember: true } }, { mergeWithLastSubmission: false });
  }

  async function submit(req: IncomingMessage, res: ServerResponse, uid: string, action: string): Promise<void> {
    if (req.method !== 'POST') return methodNotAllowed(res, assetsPath, 'POST');
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (error) {
      if (error instanceof FormError) {
        sendHtml(res, error.status, errorPage(assetsPath, { error: 'invalid_request', description: error.message }));
        return;
      }
      throw error;
    }
    const interaction = await loadInteraction(req, res, uid);
    if (!interaction) return;

    if (action === '/abort') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted the sign-in' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (interaction.prompt.name !== 'login') {
      sendHtml(res, 400, errorPage(assetsPath, { error: 'invalid_request', description: 'no sign-in is pending' }));
      return;
    }
    await signIn(req, res, interaction, form);
  }

  return async (req, res, rest) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/.exec(rest);
    if (!match) return notFound(res, assetsPath);
    const uid = match[1]!;
    const action = match[2];
    return action ? submit(req, res, uid, action) : show(req, res, uid);
  };
}
