/**
 * The script of the Entra redirect-bridge page (`veil-video/entra-redirect-bridge`): the page at
 * msal's redirect URI. It hands the authorization response to the page that started the sign-in
 * (redirect: navigates back to it; popup: posts it to the opener) and never renders anything.
 */
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

void broadcastResponseToMainFrame();
