/**
 * veil-video: the public API. Importing this module registers nothing (no side effects);
 * import `veil-video/define` (or a per-element subpath) to register the custom elements.
 */
export { VeilSession } from './elements/session/session.js';
export { VeilPlayer } from './elements/player/player.js';
export { VeilError, isVeilError } from './protocol/errors.js';
// The whole catalogue, hints included (importing it gives every VeilError its hint).
export { ERROR_CODES } from './protocol/error-hints.js';
export type { VeilErrorCode, VeilErrorCategory, VeilErrorSeverity, VeilErrorOptions } from './protocol/errors.js';
export type { ErrorCatalogue } from './protocol/error-hints.js';
export type { VeilEventMap, VeilEventType, VeilEventDetail } from './internal/emit.js';
export type { PlayerState } from './playback/state.js';
export type { Engine, EngineLoader, EngineOptions, EngineQuality, EngineQualities, EngineTextTrack, EngineTextTracks } from './playback/engines/types.js';
export { AUTO_QUALITY } from './playback/engines/types.js';
export { setVeilStrings, resetVeilStrings } from './i18n/locale.js';
export type { VeilStrings } from './i18n/locale.js';
export { ENGLISH_STRINGS } from './i18n/player.js';
export type { VeilStringKey } from './i18n/player.js';
export type { TamperVector, WatermarkSecurityEvent } from './watermark/types.js';
export type { PlaybackSession, StreamProtocol, DrmConfig, WatermarkPolicy } from './protocol/playback.js';
export type { VeilSessionState, SessionStatus } from './identity/types.js';
export { registerIdentityProvider } from './identity/registry.js';
export type { IdentityProvider, IdentityProviderConfig, IdentityProviderLoader, RestoredIdentity } from './identity/provider.js';
export { VeilClient } from './api/client.js';
export type { VeilClientOptions, RequestOptions } from './api/client.js';
export type { Viewer } from './protocol/viewer.js';
export type { PerimeterPolicy } from './protocol/perimeter.js';
export { sessionContext } from './identity/context.js';
export { AUDIT_EVENT_TYPES } from './protocol/audit-events.js';
export type { AuditEvent, AuditEventType, AuditEventData, AuditBatch } from './protocol/audit-events.js';
export type { AuditController } from './audit/audit-controller.js';
