import { setCustomElementsManifest, type Preview } from '@storybook/web-components-vite';
// Written by `npm run analyze` (which `npm run storybook` and `build-storybook` run first): the
// docs pages' attribute, property, event, slot and part tables come from it, not from a copy.
import manifest from '../custom-elements.json';

setCustomElementsManifest(manifest);

const preview: Preview = {
  // A docs page per element (autodocs), built from the manifest above and the stories' own docs.
  tags: ['autodocs'],
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
  },
};

export default preview;
