/**
 * Is the watermark actually visible over the video? Checks on the rendered result (computed
 * style, geometry, hit-testing), not on how it was achieved, so a rule from `::part`, an adopted
 * sheet, an inline style or a CSSOM edit are all caught the same way.
 */

/** Why the overlay is not visible (the vector names reported in events and `error.data.vectors`). */
export type VisibilityVector =
  | 'display'
  | 'visibility'
  | 'opacity'
  | 'clip-path'
  | 'mask'
  | 'filter'
  | 'transform'
  | 'color'
  | 'blend-mode'
  | 'content-visibility'
  | 'text-indent'
  | 'size'
  | 'off-video'
  | 'behind-video'
  | 'covered';

export interface VisibilityInput {
  host: HTMLElement;
  root: ShadowRoot;
  overlay: HTMLElement;
  video: HTMLVideoElement;
  minOpacity: number;
  geometry: Geometry;
}

/**
 * The boxes the checks compare, read once per check: the guard runs many times a second, and
 * each layout read is a call into the engine (and the first one after a change a layout).
 */
export interface Geometry {
  host: DOMRect;
  /** The host's padding box (client area) in viewport coordinates. */
  hostClient: DOMRect;
  video: DOMRect;
  overlay: DOMRect;
}

export function measure(host: HTMLElement, video: HTMLVideoElement, overlay: HTMLElement): Geometry {
  const box = host.getBoundingClientRect();
  const hostClient = new DOMRect(box.left + host.clientLeft, box.top + host.clientTop, host.clientWidth, host.clientHeight);
  return { host: box, hostClient, video: video.getBoundingClientRect(), overlay: overlay.getBoundingClientRect() };
}

/** Computed styles are live: one declaration per element is read again and again (no allocation per check). */
const computed = new WeakMap<Element, CSSStyleDeclaration>();
function computedStyle(element: Element): CSSStyleDeclaration {
  let style = computed.get(element);
  if (!style) computed.set(element, (style = getComputedStyle(element)));
  return style;
}

/** Smallest font size and box (CSS px) that still reads as a watermark. */
const MIN_FONT_PX = 9;
const MIN_BOX_PX = 8;
/** Colour alpha below which text counts as transparent. */
const MIN_COLOR_ALPHA = 0.5;
/** Sub-pixel slack for the "inside the video" test. */
const SLACK_PX = 1;
/** Where in the overlay's box hit-testing samples (fractions of width, height). */
const SAMPLES: ReadonlyArray<readonly [number, number]> = [
  [0.5, 0.5],
  [0.15, 0.3],
  [0.85, 0.3],
  [0.15, 0.7],
  [0.85, 0.7],
];

/**
 * Whether the video shows anything at all. A player that is not rendered (a hidden tab, a
 * collapsed panel) shows no frame, so there is nothing for the watermark to cover.
 */
export function videoShown(video: HTMLVideoElement, rect: DOMRect): boolean {
  return rect.width > 0 && rect.height > 0 && computedStyle(video).visibility === 'visible';
}

/**
 * Every reason the overlay is not visible over the video; empty when it is. `hitTest: false`
 * leaves out the costly part — hit-testing for covers, which forces a style recalculation and a
 * hit test of the page per sample point.
 */
export function visibilityProblems(input: VisibilityInput, hitTest = true): VisibilityVector[] {
  const { overlay, video, minOpacity } = input;
  const problems = new Set<VisibilityVector>();
  const style = computedStyle(overlay);
  if (style.display === 'none' || style.display === 'contents' || !overlay.getClientRects().length) problems.add('display');
  if (style.visibility !== 'visible') problems.add('visibility');
  if (Number(style.opacity) < minOpacity - 0.001) problems.add('opacity');
  if (style.clipPath !== 'none' || (style.clip && style.clip !== 'auto')) problems.add('clip-path');
  if (style.maskImage !== 'none' || (style.webkitMaskImage && style.webkitMaskImage !== 'none')) problems.add('mask');
  if (style.filter !== 'none') problems.add('filter');
  if (style.transform !== 'none' || style.translate !== 'none' || style.rotate !== 'none' || style.scale !== 'none') problems.add('transform');
  if (alpha(style.color) < MIN_COLOR_ALPHA || alpha(style.webkitTextFillColor || style.color) < MIN_COLOR_ALPHA) problems.add('color');
  if (style.mixBlendMode !== 'normal') problems.add('blend-mode');
  if (style.contentVisibility && style.contentVisibility !== 'visible') problems.add('content-visibility');
  if (parseFloat(style.textIndent) !== 0) problems.add('text-indent');

  const box = input.geometry.overlay;
  const clipsText = style.overflow !== 'visible' && (overlay.scrollWidth > overlay.clientWidth + 1 || overlay.scrollHeight > overlay.clientHeight + 1);
  if (parseFloat(style.fontSize) < MIN_FONT_PX || box.width < MIN_BOX_PX || box.height < MIN_BOX_PX || clipsText) problems.add('size');

  const area = visibleVideoBox(input);
  const inside =
    box.left >= area.left - SLACK_PX && box.top >= area.top - SLACK_PX && box.right <= area.right + SLACK_PX && box.bottom <= area.bottom + SLACK_PX;
  if (!inside) problems.add('off-video');

  if (paintsBelow(style, computedStyle(video), video, overlay)) problems.add('behind-video');
  // Hit-testing only means something for a box that is there and on the video.
  if (hitTest && !problems.size) {
    const stacked = stackProblem(input, box);
    if (stacked) problems.add(stacked);
  }
  return [...problems];
}

/** The video's box clipped to the player's (the host clips its content). */
function visibleVideoBox({ geometry }: VisibilityInput): DOMRect {
  const v = geometry.video;
  const h = geometry.hostClient;
  const left = Math.max(v.left, h.left);
  const top = Math.max(v.top, h.top);
  const right = Math.min(v.right, h.right);
  const bottom = Math.min(v.bottom, h.bottom);
  return new DOMRect(left, top, Math.max(0, right - left), Math.max(0, bottom - top));
}

/**
 * Whether stacking puts the overlay under the video without hit-testing (which a video made
 * `pointer-events: none` would slip past): both are siblings in the host's stacking context.
 */
function paintsBelow(overlay: CSSStyleDeclaration, video: CSSStyleDeclaration, videoElement: Element, overlayElement: Element): boolean {
  const videoPositioned = video.position !== 'static';
  if (overlay.position === 'static') return videoPositioned;
  if (!videoPositioned) return false;
  const o = parseInt(overlay.zIndex, 10) || 0;
  const v = parseInt(video.zIndex, 10) || 0;
  if (o !== v) return o < v;
  // Same level: later in tree order paints on top.
  return !(videoElement.compareDocumentPosition(overlayElement) & Node.DOCUMENT_POSITION_FOLLOWING);
}

/**
 * Samples a few points of the overlay's box: the overlay (or its text) must be the topmost element
 * there, else the video or something else is over it. One hit test per point: the shadow root's
 * `elementFromPoint` hit-tests the whole page and retargets the result into the shadow root, so a
 * cover anywhere above (the document, an enclosing shadow root, the host's own pseudo-element)
 * comes back as something other than the overlay — asking each enclosing scope again found
 * nothing more and doubled the guard's costliest check. The overlay is `pointer-events: none`
 * for the viewer's clicks, so it is made hit-testable just for the sampling (an inline
 * `!important`, which outranks any `::part` rule) and restored in the same task.
 */
function stackProblem({ host, root, overlay, video }: VisibilityInput, box: DOMRect): 'behind-video' | 'covered' | undefined {
  const view = host.ownerDocument.defaultView;
  if (!view) return undefined;
  const previous = [overlay.style.getPropertyValue('pointer-events'), overlay.style.getPropertyPriority('pointer-events')] as const;
  overlay.style.setProperty('pointer-events', 'auto', 'important');
  try {
    for (const [fx, fy] of SAMPLES) {
      const x = box.left + box.width * fx;
      const y = box.top + box.height * fy;
      // Off-screen points hit nothing; the viewer cannot see those either.
      if (x < 0 || y < 0 || x >= view.innerWidth || y >= view.innerHeight) continue;
      // The topmost element only (`elementFromPoint`): a list-based hit test walks everything under the point.
      const top = root.elementFromPoint(x, y);
      if (!top || !overlay.contains(top)) return top === video ? 'behind-video' : 'covered';
    }
    return undefined;
  } finally {
    if (previous[0]) overlay.style.setProperty('pointer-events', previous[0], previous[1]);
    else overlay.style.removeProperty('pointer-events');
  }
}

/** Alpha of a computed colour (`rgb(…)`, `rgba(…)`, `color(srgb … / a)`); 1 when unknown. */
function alpha(color: string): number {
  if (color === 'transparent') return 0;
  const slash = /\/\s*([\d.]+)(%?)\s*\)$/.exec(color);
  if (slash) return slash[2] ? Number(slash[1]) / 100 : Number(slash[1]);
  const rgba = /^rgba\([^,]+,[^,]+,[^,]+,\s*([\d.]+)\s*\)$/.exec(color);
  return rgba ? Number(rgba[1]) : 1;
}
