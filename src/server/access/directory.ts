/**
 * Who exists in an organisation: users and groups to share with, and the groups a user is in.
 * The demo serves its dev IdP's accounts (`StaticDirectory`); a provisioned directory (SCIM,
 * Entra) implements the same interface. Answers are per org: nothing crosses organisations.
 */
import { DIRECTORY_MAX_RESULTS, type DirectoryEntry, type Principal } from '../../protocol/sharing.js';

export interface Directory {
  /** Users and groups of `org` whose name, email or id contains `query` (case-insensitive), at most `limit`. */
  search(org: string, query: string, limit?: number): Promise<DirectoryEntry[]>;
  /** The entry for a principal of `org`, or undefined when `org` has no such user or group. */
  resolve(org: string, principal: Principal): Promise<DirectoryEntry | undefined>;
  /** Ids of the groups of `org` that user `sub` is in. */
  groupsOf(org: string, sub: string): Promise<string[]>;
}

export interface DirectoryUser {
  sub: string;
  email: string;
  name: string;
  org: string;
  groups: readonly string[];
}

export interface DirectoryGroup {
  id: string;
  name: string;
  org: string;
}

/** A fixed directory from lists (the demo's accounts; tests). Groups' members come from the users. */
export class StaticDirectory implements Directory {
  readonly #entries: Array<DirectoryEntry & { org: string }>;

  constructor(
    private readonly users: readonly DirectoryUser[],
    groups: readonly DirectoryGroup[],
  ) {
    this.#entries = [
      ...users.map((user) => ({ principal: `user:${user.sub}` as const, displayName: user.name, email: user.email, kind: 'user' as const, org: user.org })),
      ...groups.map((group) => ({ principal: `group:${group.id}` as const, displayName: group.name, kind: 'group' as const, org: group.org })),
    ];
  }

  async search(org: string, query: string, limit = DIRECTORY_MAX_RESULTS): Promise<DirectoryEntry[]> {
    const needle = query.trim().toLowerCase();
    if (needle === '') return [];
    const matches = this.#entries.filter(
      (entry) => entry.org === org && [entry.displayName, entry.email ?? '', entry.principal.slice(entry.principal.indexOf(':') + 1)].some((text) => text.toLowerCase().includes(needle)),
    );
    return matches.slice(0, limit).map(publicEntry);
  }

  async resolve(org: string, principal: Principal): Promise<DirectoryEntry | undefined> {
    const entry = this.#entries.find((candidate) => candidate.org === org && candidate.principal === principal);
    return entry && publicEntry(entry);
  }

  async groupsOf(org: string, sub: string): Promise<string[]> {
    const user = this.users.find((candidate) => candidate.org === org && candidate.sub === sub);
    const known = new Set(this.#entries.filter((entry) => entry.kind === 'group' && entry.org === org).map((entry) => entry.principal.slice('group:'.length)));
    return user ? user.groups.filter((group) => known.has(group)) : [];
  }
}

/** Only what a search may return: principal, display name, kind and (users) email. */
function publicEntry({ principal, displayName, kind, email }: DirectoryEntry): DirectoryEntry {
  return email === undefined ? { principal, displayName, kind } : { principal, displayName, kind, email };
}
