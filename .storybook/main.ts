// Storybook for the Veil elements. Offline by design: no telemetry, no crash reports, no update or
// "what's new" checks, and only addons that bundle everything they show — `@storybook/addon-docs`
// renders the docs pages from our own custom-elements.json with no CDN, font or analytics request
// (test/e2e/storybook.test.ts fails on any request leaving the static server). Other addons stay
// out until someone checks the same of them. The stories drive the real elements through a
// story-local session provider and a network-free engine (see stories/support/).
import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  core: {
    disableTelemetry: true,
    enableCrashReports: false,
    disableWhatsNewNotifications: true,
  },
};

export default config;
