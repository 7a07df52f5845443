/**
 * veil-video: the public API. Importing this module registers nothing (no side effects);
 * import `veil-video/define` (or a per-element subpath) to register the custom elements.
 */
export { VeilSession } from './elements/session/session.js';
export { VeilPlayer } from './elements/player/player.js';
export { VeilError, ERROR_CODES, isVeilError } from './protocol/errors.js';
export type { VeilErrorCode, VeilErrorCategory, VeilErrorSeverity, VeilErrorOptions } from './protocol/errors.js';
export type { PlayerState } from './playback/playback-controller.js';
export type { Engine, EngineOptions, EngineQuality, EngineQualities, EngineTextTrack, EngineTextTracks } from './playback/engines/engine.js';
export { AUTO_QUALITY } from './playback/engines/engine.js';
export { setVeilStrings, resetVeilStrings, ENGLISH_STRINGS } from './elements/player/strings.js';
export type { VeilStrings, VeilStringKey } from './elements/player/strings.js';
export type { TamperVector, WatermarkSecurityEvent } from './watermark/guard-controller.js';
export type { PlaybackSession, StreamProtocol, DrmConfig, WatermarkPolicy } from './protocol/playback.js';
export type { VeilSessionState, SessionStatus } from './identity/types.js';
export type { Viewer } from './protocol/viewer.js';
export type { PerimeterPolicy } from './protocol/perimeter.js';
export { sessionContext } from './identity/context.js';
export { AUDIT_EVENT_TYPES } from './protocol/audit-events.js';
export type { AuditEvent, AuditEventType, AuditEventData, AuditBatch } from './protocol/audit-events.js';
export type { AuditController } from './audit/audit-controller.js';
