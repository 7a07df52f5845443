/**
 * The `Authorizer`: gathers what `decide()` needs — the subject's groups (token and directory, read
 * now, never cached), the video's access as stored, the org's policy, the server clock — and
 * returns the decision with what it was made on (the access routes answer from the same read).
 */
import { VeilError } from '../../protocol/errors.js';
import { perimeterViolation, type PerimeterPolicy } from '../../protocol/perimeter.js';
import type { Principal } from '../../protocol/sharing.js';
import type { Viewer } from '../../protocol/viewer.js';
import type { GrantRepository, VideoAccess } from '../storage/grants.js';
import type { VideoRecord } from '../storage/videos.js';
import { decide, principalsOf, type Decision } from './decide.js';
import type { Directory } from './directory.js';
import { DEFAULT_SHARING_POLICY, type AccessAction, type AccessSubject, type SharingPolicy } from './model.js';

/**
 * Who asks: a viewer with a verified access token, or the holder of a verified playback token
 * (whose perimeter was checked when the token was issued; its groups come from the directory).
 */
export type Asker = { viewer: Viewer } | { playbackToken: { sub: string; org: string; ctx?: string } };

export interface Verdict {
  decision: Decision;
  subject: AccessSubject;
  /**
   * The video's access the decision read (undefined if the video vanished meanwhile). For `view`,
   * only the grants naming the subject or its groups (all a view decision looks at); for `share`, all.
   */
  access: VideoAccess | undefined;
  policy: SharingPolicy;
  now: number;
}

export interface Authorizer {
  subject(asker: Asker): Promise<AccessSubject>;
  authorize(asker: Asker, video: VideoRecord, action: AccessAction): Promise<Verdict>;
}

export interface GrantAuthorizerOptions {
  grants: Pick<GrantRepository, 'read' | 'readFor'>;
  directory: Pick<Directory, 'groupsOf'>;
  perimeter: PerimeterPolicy;
  /** The org's sharing policy, read at every decision (so a change bites at once); default `DEFAULT_SHARING_POLICY`. */
  policyFor?: (org: string) => SharingPolicy | Promise<SharingPolicy>;
  now?: () => number;
}

export function createGrantAuthorizer(options: GrantAuthorizerOptions): Authorizer {
  const policyFor = options.policyFor ?? (() => DEFAULT_SHARING_POLICY);
  const now = options.now ?? Date.now;

  async function subject(asker: Asker): Promise<AccessSubject> {
    if ('viewer' in asker) {
      const { viewer } = asker;
      const fromDirectory = viewer.org === undefined ? [] : await options.directory.groupsOf(viewer.org, viewer.sub);
      const found: AccessSubject = {
        sub: viewer.sub,
        org: viewer.org,
        groups: [...new Set([...viewer.groups, ...fromDirectory])],
        perimeterViolation: perimeterViolation(viewer, options.perimeter),
      };
      return withCourse(found, viewer.course);
    }
    const { sub, org, ctx } = asker.playbackToken;
    return withCourse({ sub, org, groups: await options.directory.groupsOf(org, sub), perimeterViolation: undefined }, ctx);
  }

  return {
    subject,
    async authorize(asker, video, action) {
      const who = await subject(asker);
      // A view decision reads only the subject's own grants: a few rows, however many the video has.
      const read = action === 'view' ? options.grants.readFor(video.id, [...principalsOf(who)]) : options.grants.read(video.id);
      const [access, policy] = await Promise.all([read, policyFor(video.org)]);
      const at = now();
      const state = { id: video.id, org: video.org, owner: video.owner, generalAccess: access?.generalAccess ?? 'restricted', grants: access?.grants ?? [], policy };
      const decision: Decision = access ? decide(who, state, action, at) : { allowed: false, code: 'PLAYBACK_NOT_GRANTED' };
      return { decision, subject: who, access, policy, now: at };
    },
  };
}

/** An LTI viewer (or its playback token) carries its course: the one principal it answers to. */
function withCourse(subject: AccessSubject, course: string | undefined): AccessSubject {
  return course === undefined ? subject : { ...subject, groups: [], course: course as Principal };
}

/** Throws `PERIMETER_DENIED` for a subject outside the perimeter (before anything about a video is read). */
export function assertInsidePerimeter(subject: AccessSubject): void {
  if (subject.perimeterViolation !== undefined) throw new VeilError('PERIMETER_DENIED', { data: { reason: subject.perimeterViolation } });
}
