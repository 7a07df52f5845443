/**
 * A minimal ISO-BMFF (MP4) box tree: just enough to rewrite ffmpeg's fragmented MP4 for CENC.
 *
 * Only the boxes the encryptor descends into are parsed as containers; every other box stays an
 * opaque leaf whose bytes are written back unchanged, so unknown content survives a round trip.
 * Sizes are recomputed on serialization, which is what makes inserting boxes deep in a tree safe.
 */

export interface Box {
  /** Four-character code, e.g. `moov`. */
  type: string;
  /** Bytes after the box header. For containers: only the fixed fields that precede the children. */
  body: Uint8Array;
  /** Present for the container types in {@link CONTAINERS}. */
  children?: Box[];
}

/** A box as found in an input buffer, with its position there (needed to locate sample data). */
export interface ParsedBox extends Box {
  start: number;
  size: number;
  children?: ParsedBox[];
}

/**
 * Container boxes and the size of the fixed fields before their children: `stsd` has a full-box
 * header plus entry count, visual sample entries 78 bytes, (version 0) audio sample entries 28.
 */
const CONTAINERS: Readonly<Record<string, number>> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, mvex: 0, moof: 0, traf: 0, sinf: 0, schi: 0,
  stsd: 8, avc1: 78, avc3: 78, encv: 78, mp4a: 28, enca: 28,
};

export function parseBoxes(bytes: Uint8Array, start = 0, end = bytes.length): ParsedBox[] {
  const view = dataView(bytes);
  const boxes: ParsedBox[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 8) throw new Error(`mp4: truncated box header at ${pos}`);
    let size = view.getUint32(pos);
    const type = fourcc(bytes, pos + 4);
    let header = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos; // "extends to the end of the file"
    }
    if (size < header || pos + size > end) throw new Error(`mp4: box '${type}' at ${pos} overruns its parent`);
    const prefix = CONTAINERS[type];
    const box: ParsedBox = { type, start: pos, size, body: bytes.subarray(pos + header, pos + size) };
    if (prefix !== undefined) {
      box.body = bytes.subarray(pos + header, pos + header + prefix);
      box.children = parseBoxes(bytes, pos + header + prefix, pos + size);
    }
    boxes.push(box);
    pos += size;
  }
  return boxes;
}

export function serializeBoxes(boxes: readonly Box[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const box of boxes) writeBox(box, parts);
  return concat(parts);
}

function writeBox(box: Box, parts: Uint8Array[]): void {
  const size = boxSize(box);
  if (size > 0xffffffff) throw new Error(`mp4: box '${box.type}' too large to write`);
  const header = new Uint8Array(8);
  dataView(header).setUint32(0, size);
  header.set(fourccBytes(box.type), 4);
  parts.push(header, box.body);
  for (const child of box.children ?? []) writeBox(child, parts);
}

function boxSize(box: Box): number {
  let size = 8 + box.body.length;
  for (const child of box.children ?? []) size += boxSize(child);
  return size;
}

/** A leaf box from body parts. */
export function box(type: string, ...body: Uint8Array[]): Box {
  return { type, body: concat(body) };
}

/** A leaf "full box": version and 24-bit flags precede the body. */
export function fullBox(type: string, version: number, flags: number, ...body: Uint8Array[]): Box {
  return box(type, u32((version << 24) | (flags & 0xffffff)), ...body);
}

export function fullBoxHeader(body: Uint8Array): { version: number; flags: number } {
  const word = dataView(body).getUint32(0);
  return { version: word >>> 24, flags: word & 0xffffff };
}

export function findChild<T extends Box>(parent: { children?: T[] }, type: string): T | undefined {
  return parent.children?.find((child) => child.type === type);
}

export function requireChild<T extends Box>(parent: { type?: string; children?: T[] }, type: string): T {
  const child = findChild(parent, type);
  if (!child) throw new Error(`mp4: '${parent.type ?? 'file'}' has no '${type}' box`);
  return child;
}

/** Follows a path of box types from a list of boxes, e.g. `['moov', 'trak']` (first match per level). */
export function requirePath<T extends Box>(boxes: T[], path: readonly string[]): T {
  let children = boxes;
  let current: T | undefined;
  for (const type of path) {
    current = children.find((child) => child.type === type);
    if (!current) throw new Error(`mp4: no '${path.join('/')}' box`);
    children = (current.children ?? []) as T[]; // children of a ParsedBox are ParsedBoxes
  }
  if (!current) throw new Error('mp4: empty box path');
  return current;
}

/**
 * Returns a copy of `parent` in which the box at `path` (types, one per level; every level must
 * exist) is replaced by `update(box)`. Copies only the boxes along the path.
 */
export function updatePath(parent: Box, path: readonly string[], update: (box: Box) => Box): Box {
  const [type, ...rest] = path;
  if (type === undefined) return update(parent);
  requireChild(parent, type);
  return {
    type: parent.type,
    body: parent.body,
    children: parent.children!.map((child) => (child.type === type ? updatePath(child, rest, update) : child)),
  };
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value);
}

export function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  dataView(out).setUint16(0, value);
  return out;
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  dataView(out).setUint32(0, value >>> 0);
  return out;
}

export function fourccBytes(type: string): Uint8Array {
  if (type.length !== 4) throw new Error(`mp4: invalid four-character code '${type}'`);
  return Uint8Array.from(type, (c) => c.charCodeAt(0));
}

export function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}
