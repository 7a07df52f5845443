// Storybook for the Veil elements. Offline by design: no addons (nothing that fetches from a CDN),
// no telemetry, no update or "what's new" checks. The stories drive the real elements through a
// story-local session provider and a network-free engine (see stories/support/).
import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../stories/**/*.stories.ts'],
  addons: [],
  core: {
    disableTelemetry: true,
    enableCrashReports: false,
    disableWhatsNewNotifications: true,
  },
};

export default config;
