/**
 * The script of the Entra popup-relay page (`veil-video/entra-popup-relay`): the top-level popup
 * msal opens from a framed page (`auth.popupRelayUri`, beside the redirect URI). It opens the
 * authority in a child popup, takes the response from the redirect-bridge page over its
 * (unpartitioned, top-level) BroadcastChannel and posts it back to the frame that opened it.
 * Protocol version 2 only: the navigation target comes from the opener by an authenticated
 * postMessage, never from the URL. The page names the authority origins it may navigate to in
 * `<meta name="veil-entra-authority-origins" content="https://login.microsoftonline.com">`
 * (space-separated); none named allows none.
 */
import { runPopupRelay } from '@azure/msal-browser/popup-relay';

const allowed = document.querySelector<HTMLMetaElement>('meta[name="veil-entra-authority-origins"]')?.content ?? '';
runPopupRelay({ protocolVersion: 2, allowedAuthorityOrigins: allowed.split(/\s+/).filter(Boolean) });
