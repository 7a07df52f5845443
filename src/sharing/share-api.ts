/**
 * The sharing routes as the browser calls them: the access document with its ETag, a batch save
 * with `If-Match`, directory search. Failures become `VeilError`s from the service's error body;
 * a 404 from these routes means "you may not share this video" (the service does not say whether
 * it exists), so it becomes `SHARE_NOT_ALLOWED`.
 */
import { isVeilErrorCode, VeilError, type VeilErrorCode } from '../protocol/errors.js';
import { apiUrls } from '../protocol/paths.js';
import type { AccessChange, AccessDocument, DirectoryEntry, DirectorySearchResult } from '../protocol/sharing.js';

export interface ShareApiOptions {
  api: string;
  /** A current access token of the viewer. */
  accessToken(): Promise<string>;
}

export interface VersionedDocument {
  document: AccessDocument;
  etag: string;
}

export class ShareApi {
  readonly #urls: ReturnType<typeof apiUrls>;
  readonly #accessToken: () => Promise<string>;

  constructor(options: ShareApiOptions) {
    this.#urls = apiUrls(options.api);
    this.#accessToken = options.accessToken;
  }

  async document(videoId: string): Promise<VersionedDocument> {
    return versioned(await this.#send(this.#urls.videoAccess(videoId), { method: 'GET' }));
  }

  /** Saves a batch over `etag` (undefined: the service decides whether the caller may share first). */
  async save(videoId: string, changes: readonly AccessChange[], etag: string | undefined): Promise<VersionedDocument> {
    return versioned(await this.#send(this.#urls.videoAccess(videoId), { method: 'POST', body: { changes }, headers: etag ? { 'if-match': etag } : {} }));
  }

  async search(videoId: string, query: string): Promise<DirectoryEntry[]> {
    const response = await this.#send(this.#urls.directorySearch(), { method: 'POST', body: { videoId, query } });
    return ((await response.json()) as DirectorySearchResult).results;
  }

  async #send(url: string, { method, body, headers = {} }: { method: string; body?: unknown; headers?: Record<string, string> }): Promise<Response> {
    const token = await this.#accessToken();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (cause) {
      throw new VeilError('NETWORK_ERROR', { cause });
    }
    if (!response.ok) throw await shareError(response);
    return response;
  }
}

async function versioned(response: Response): Promise<VersionedDocument> {
  return { document: (await response.json()) as AccessDocument, etag: response.headers.get('etag') ?? '' };
}

async function shareError(response: Response): Promise<VeilError> {
  let code: VeilErrorCode | undefined;
  let message: string | undefined;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (isVeilErrorCode(body.error?.code)) code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not a Veil error body (a proxy's page): the status decides below.
  }
  if (response.status === 404) return new VeilError('SHARE_NOT_ALLOWED', { data: { status: 404 } });
  return new VeilError(code ?? (response.status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST'), { message: code === 'BAD_REQUEST' ? message : undefined, data: { status: response.status } });
}
