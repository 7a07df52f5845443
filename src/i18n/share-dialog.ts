/**
 * `<veil-share-dialog>`'s strings in English: everything it shows or announces. Placeholders are
 * `{name}`. Error messages come from the error catalogue (`protocol/errors.ts`).
 */
export const SHARE_DIALOG_STRINGS = {
  title: 'Share “{title}”',
  titleUntitled: 'Share this video',
  loading: 'Loading who has access…',
  pickerLabel: 'Add people or groups',
  pickerPlaceholder: 'Name, email or group',
  pickerHint: 'Only people and groups of your organisation can be added.',
  listboxLabel: 'People and groups',
  peopleWithAccess: 'People and groups with access',
  owner: 'Owner',
  roleLabel: 'Role of {name}',
  roleViewer: 'Viewer',
  roleEditor: 'Editor',
  expiryLabel: 'Access of {name} until',
  remove: 'Remove',
  removeLabel: 'Remove {name}',
  generalAccess: 'General access',
  restricted: 'Restricted',
  restrictedHint: 'Only the people and groups above can watch.',
  org: 'Everyone in your organisation',
  orgHint: 'Anyone who signs in with your organisation can watch. Nobody outside it can — there is no public link.',
  orgNotAllowed: 'Your organisation does not allow this.',
  cancel: 'Cancel',
  save: 'Save',
  close: 'Close',
  results: '{count} results',
  oneResult: '1 result',
  noResults: 'No one found for “{query}”',
  typeMore: 'Type at least 2 characters',
  added: 'Added {name} as {role}',
  removed: 'Removed {name}',
  saved: 'Saved',
  kindGroup: 'Group',
} as const;

export type ShareDialogStringKey = keyof typeof SHARE_DIALOG_STRINGS;

export function shareDialogString(key: ShareDialogStringKey, params: Record<string, string | number> = {}): string {
  return SHARE_DIALOG_STRINGS[key].replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}
