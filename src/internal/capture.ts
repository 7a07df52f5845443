/**
 * `capture(callback)`: hands lit's own element to `callback` on every render. Like lit's `ref`
 * without the async-directive machinery (a smaller player chunk). The guard relies on getting the
 * element lit created, never one found by a query that a look-alike could answer.
 */
import { noChange } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

class CaptureDirective extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('capture() goes on an element');
  }

  render(_callback: (element: Element) => void) {
    return noChange;
  }

  override update(part: ElementPart, [callback]: [(element: Element) => void]) {
    callback(part.element);
    return noChange;
  }
}

export const capture = directive(CaptureDirective);
