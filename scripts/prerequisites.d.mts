export type Prerequisite = 'ffmpeg' | 'chromium';
export function missingPrerequisites(names: Prerequisite[]): string[];
export function requirePrerequisites(names: Prerequisite[]): void;
