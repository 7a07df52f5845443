/**
 * Tells the player's own DOM changes from anyone else's, in its shadow root.
 *
 * One MutationObserver watches the whole shadow tree. Records taken while lit renders (between the
 * host's `hostUpdate` and `hostUpdated`, a synchronous stretch in which only lit runs) are the
 * player's own: their nodes become trusted and the values they set become the expected ones.
 * Every other record is foreign. The shadow root counts as altered while a foreign node is in it,
 * a trusted node is missing from it, or a foreign attribute/text change is still in place —
 * so undoing the change makes it intact again.
 */

/** Attributes the player or its engine may change outside lit's render: not tampering by themselves. */
export type AttributeFilter = (element: Element, name: string) => boolean;

type Key = `attr:${string}` | '#data';

export class ShadowIntegrity {
  readonly #root: ShadowRoot;
  readonly #ignore: AttributeFilter;
  readonly #observer: MutationObserver;
  readonly #trusted = new WeakSet<Node>();
  readonly #foreign = new Set<Node>();
  /** Trusted nodes a foreign record removed → the parent they were removed from. */
  readonly #missing = new Map<Node, Node>();
  /** Values a foreign record changed → the value they had. */
  readonly #changed = new Map<Node, Map<Key, string | null>>();

  /**
   * `onChange` runs for every delivered batch (records the player took itself are never delivered),
   * ignored attributes included: an inline style on the overlay is judged by the visibility checks.
   */
  constructor(root: ShadowRoot, onChange: () => void, ignore: AttributeFilter) {
    this.#root = root;
    this.#ignore = ignore;
    this.#observer = new MutationObserver((records) => {
      this.#apply(records, false);
      onChange();
    });
    this.#observer.observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeOldValue: true,
      characterData: true,
      characterDataOldValue: true,
    });
    this.#trustTree(root);
  }

  /** Pending records are foreign (call before lit renders). Returns whether any counted. */
  flushForeign(): boolean {
    return this.#apply(this.#observer.takeRecords(), false);
  }

  /** Pending records are the player's own (call right after lit rendered). */
  flushTrusted(): void {
    this.#apply(this.#observer.takeRecords(), true);
  }

  /** Whether the shadow tree differs from what the player rendered. */
  altered(): boolean {
    const root = this.#root;
    let altered = false;
    for (const node of this.#foreign) {
      if (root.contains(node)) altered = true;
      else this.#foreign.delete(node);
    }
    for (const [node, parent] of this.#missing) {
      // Back in place, or moot because lit itself has since dropped the part it was in.
      if (root.contains(node) || (parent !== root && !root.contains(parent))) this.#missing.delete(node);
      else altered = true;
    }
    for (const [node, values] of this.#changed) {
      for (const [key, value] of values) {
        if (!root.contains(node) || current(node, key) === value) values.delete(key);
        else altered = true;
      }
      if (!values.size) this.#changed.delete(node);
    }
    return altered;
  }

  disconnect(): void {
    this.#observer.disconnect();
  }

  /** Returns whether a foreign record counted (ignored attributes do not). */
  #apply(records: MutationRecord[], trusted: boolean): boolean {
    let counted = false;
    for (const record of records) {
      const target = record.target;
      if (record.type === 'childList') {
        // The media element's children (tracks, sources) belong to the engine.
        if (!trusted && target instanceof HTMLMediaElement) continue;
        for (const node of record.addedNodes) {
          if (trusted) {
            this.#trustTree(node);
            this.#foreign.delete(node);
          } else if (!this.#trusted.has(node)) {
            this.#foreign.add(node);
            counted = true;
          } else counted = true; // a trusted node moved or put back: re-check
          this.#missing.delete(node);
        }
        for (const node of record.removedNodes) {
          if (trusted || !this.#trusted.has(node)) this.#missing.delete(node);
          else if (!this.#missing.has(node)) this.#missing.set(node, target);
          if (!trusted) counted = true;
        }
        continue;
      }
      const key: Key = record.type === 'attributes' ? `attr:${record.attributeName}` : '#data';
      if (record.type === 'attributes' && this.#ignore(target as Element, record.attributeName!)) continue;
      if (trusted) {
        this.#changed.get(target)?.delete(key);
        continue;
      }
      let values = this.#changed.get(target);
      if (!values) this.#changed.set(target, (values = new Map()));
      if (!values.has(key)) values.set(key, record.oldValue);
      counted = true;
    }
    return counted;
  }

  #trustTree(node: Node): void {
    this.#trusted.add(node);
    for (let child = node.firstChild; child; child = child.nextSibling) this.#trustTree(child);
  }
}

function current(node: Node, key: Key): string | null {
  if (key === '#data') return (node as CharacterData).data;
  return (node as Element).getAttribute(key.slice(5));
}
