/**
 * `<veil-share-dialog>`'s strings in English: everything it shows or announces. Other languages
 * override any subset with `setVeilStrings(lang, { 'share.save': 'Enregistrer' })` (keys prefixed
 * `share.`, so they never collide with another element's). Placeholders are `{name}`. Error
 * messages come from the error catalogue, translatable by code (`error.<CODE>`).
 */
export const SHARE_DIALOG_STRINGS = {
  title: 'Share “{title}”',
  titleUntitled: 'Share this video',
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
  results: '{count} results',
  oneResult: '1 result',
  noResults: 'No one found for “{query}”',
  typeMore: 'Type at least 2 characters',
  added: 'Added {name} as {role}',
  removed: 'Removed {name}',
  saved: 'Saved',
  kindGroup: 'Group',
  requests: 'Asking for access',
  approve: 'Approve',
  approveLabel: 'Approve {name} as viewer',
  deny: 'Deny',
  denyLabel: 'Deny {name}',
  approved: 'Approved {name} as viewer',
  denied: 'Denied {name}',
} as const;

export type ShareDialogStringKey = keyof typeof SHARE_DIALOG_STRINGS;
