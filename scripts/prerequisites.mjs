#!/usr/bin/env node
// The system tools Veil's demo and tests need, said plainly when one is missing: one line naming
// it and the command that installs it, no stack trace. `node scripts/prerequisites.mjs ffmpeg
// chromium` checks from the command line (exit 1 when something is missing); `npm start`,
// `npm test` and the demo server check what they need before they begin.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const TOOLS = {
  ffmpeg: {
    find: () => onPath('ffmpeg') && onPath('ffprobe'),
    missing: () =>
      'Veil needs ffmpeg (with ffprobe) to make its media and did not find it on PATH. Install it: `sudo apt-get install ffmpeg` (Debian/Ubuntu) or `brew install ffmpeg` (macOS).',
  },
  chromium: {
    find: () => (process.env.CHROMIUM_PATH ? executable(process.env.CHROMIUM_PATH) : executable('/usr/bin/chromium') || onPath('chromium')),
    missing: () =>
      `The tests need Chromium and did not find it at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'}. Install it: \`sudo apt-get install chromium\` (Debian/Ubuntu) or \`brew install --cask chromium\` (macOS, then set CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium).`,
  },
};

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, name)));
}

/** The message for each of `names` that is missing (empty when all are there). */
export function missingPrerequisites(names) {
  return names.filter((name) => !TOOLS[name].find()).map((name) => TOOLS[name].missing());
}

/** Prints one line per missing tool and exits with status 1; returns when everything is there. */
export function requirePrerequisites(names) {
  const missing = missingPrerequisites(names);
  if (!missing.length) return;
  for (const line of missing) console.error(line);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in TOOLS));
  if (unknown.length) {
    console.error(`Unknown prerequisite ${unknown.join(', ')}; known: ${Object.keys(TOOLS).join(', ')}.`);
    process.exit(2);
  }
  requirePrerequisites(names);
}
