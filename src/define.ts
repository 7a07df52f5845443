/** Registers every Veil element. The side-effect entry: `import 'veil-video/define'`. */
import './elements/session/define.js';
import './elements/player/define.js';
import './elements/recorder/define.js';
import './elements/share-dialog/define.js';
