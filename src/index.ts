/**
 * veil-video: the public API. Importing this module registers nothing (no side effects);
 * import `veil-video/define` (or a per-element subpath) to register the custom elements.
 */
export { VeilSession } from './elements/session/session.js';
export { VeilPlayer } from './elements/player/player.js';
export { VeilError, ERROR_CODES, isVeilError } from './errors.js';
export type { VeilErrorCode, VeilErrorCategory, VeilErrorSeverity, VeilErrorOptions } from './errors.js';
export type { PlayerState } from './playback/playback-controller.js';
export type { Engine, EngineOptions, EngineQuality, EngineQualities, EngineTextTrack, EngineTextTracks } from './playback/engines/engine.js';
export { AUTO_QUALITY } from './playback/engines/engine.js';
export { setVeilStrings, resetVeilStrings, ENGLISH_STRINGS } from './elements/player/strings.js';
export type { VeilStrings, VeilStringKey } from './elements/player/strings.js';
export type { TamperVector, WatermarkSecurityEvent } from './watermark/guard-controller.js';
export type { PlaybackSession, StreamProtocol, DrmConfig, WatermarkPolicy } from './playback/contract.js';
export type { VeilSessionState, ViewerClaims, SessionStatus } from './identity/types.js';
export type { PerimeterPolicy } from './identity/perimeter.js';
export { sessionContext } from './identity/context.js';
export { AUDIT_EVENT_TYPES } from './audit/events.js';
export type { AuditEvent, AuditEventType, AuditEventData, AuditBatch } from './audit/events.js';
export type { AuditController } from './audit/audit-controller.js';
