/**
 * The demo LMS's people and courses (demo contract): teacher and student in `c101`, outsider in
 * `c202`; `c101` links "Week 1 lecture" to `sample-course`. Moodle sends numeric user ids as its
 * `login_hint` and `sub`; the other variants send the user's id.
 */
export const LMS_PASSWORD = 'veil-demo';

export interface LmsUser {
  id: string;
  /** Moodle-style numeric id. */
  number: string;
  email: string;
  name: string;
}

export interface ResourceLink {
  id: string;
  title: string;
  video: string;
}

export interface Course {
  id: string;
  title: string;
  members: Record<string, 'Instructor' | 'Learner'>;
  links: ResourceLink[];
}

export const LMS_USERS: readonly LmsUser[] = [
  { id: 'teacher', number: '101', email: 'teacher@school.test', name: 'Tess Teacher' },
  { id: 'student', number: '102', email: 'student@school.test', name: 'Sam Student' },
  { id: 'outsider', number: '103', email: 'outsider@school.test', name: 'Olly Outsider' },
];

/**
 * The school's teachers as the Veil deployment's directory knows them (provisioned into org acme
 * like the dev users): Deep Linking maps an instructor to the directory user with her email.
 */
export const LMS_DIRECTORY_USERS = [{ sub: 'teacher@school.test', email: 'teacher@school.test', name: 'Tess Teacher', org: 'acme', groups: [] as string[] }] as const;

export const WEEK1: ResourceLink = { id: 'week1', title: 'Week 1 lecture', video: 'sample-course' };

export const COURSES: readonly Course[] = [
  { id: 'c101', title: 'Course 101', members: { teacher: 'Instructor', student: 'Learner' }, links: [WEEK1] },
  { id: 'c202', title: 'Course 202', members: { outsider: 'Learner' }, links: [] },
];

export const VARIANTS = ['canvas', 'brightspace', 'blackboard', 'moodle', 'legacy'] as const;
export type Variant = (typeof VARIANTS)[number];

export function userByEmail(email: string): LmsUser | undefined {
  return LMS_USERS.find((user) => user.email === email.trim().toLowerCase());
}

export function courseById(id: string): Course | undefined {
  return COURSES.find((course) => course.id === id);
}

/** Every link a course page shows: its own, and (`?link=`) one copied from another course. */
export function findLink(id: string): ResourceLink | undefined {
  return COURSES.flatMap((course) => course.links).find((link) => link.id === id);
}
