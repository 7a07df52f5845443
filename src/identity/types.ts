import type { VeilClient } from '../api/client.js';
import type { VeilError } from '../protocol/errors.js';
import type { PerimeterPolicy } from '../protocol/perimeter.js';
import type { Viewer } from '../protocol/viewer.js';

export type SessionStatus = 'initializing' | 'signed-out' | 'signing-in' | 'signed-in' | 'error';

/**
 * What `<veil-session>` provides to its descendants (through `@lit/context`): who the viewer is,
 * where the Veil API lives, the perimeter, a way to get a current access token, and the API
 * client that sends it.
 */
export interface VeilSessionState {
  status: SessionStatus;
  /** Base URL of the Veil API (the token service). */
  api: string;
  perimeter: PerimeterPolicy;
  claims?: Viewer;
  error?: VeilError;
  /** A current access token for the Veil API; rejects with `SIGN_IN_REQUIRED` when signed out. */
  getAccessToken(): Promise<string>;
  /** Calls the Veil API for this viewer (elements and controllers build no URLs). */
  client: VeilClient;
  signIn(): Promise<void>;
}
