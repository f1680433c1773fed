/**
 * The slide viewer's view as numbers, so zoom, pan, fit and rotation are tested without a browser. The image sits at
 * the viewport's centre, moved by `offset` (CSS px) and turned by `rotation` about its own centre, drawn at `scale`
 * screen px per image px of the picture the browser holds (for a TIFF, the server's preview, which may be smaller
 * than the original).
 */
export interface SlideView {
  scale: number;
  offsetX: number;
  offsetY: number;
  /** 0, 90, 180 or 270 degrees clockwise. */
  rotation: number;
}

export interface Size {
  width: number;
  height: number;
}

export const minScale = 0.01;
export const maxScale = 32;
/** Zoom buttons step by this factor; the wheel zooms by the same factor per notch (≈ 100 px of deltaY). */
export const zoomStep = 1.25;

const clampScale = (s: number) => Math.min(maxScale, Math.max(minScale, s));

/** The picture's box on screen once rotated (a quarter turn swaps width and height). */
export function rotatedSize(image: Size, rotation: number): Size {
  return rotation % 180 === 0 ? image : { width: image.height, height: image.width };
}

/** The whole picture in the viewport, centred; never enlarged past 1 screen px per image px. */
export function fitView(image: Size, viewport: Size, rotation = 0): SlideView {
  const r = rotatedSize(image, rotation);
  const scale = r.width > 0 && r.height > 0 ? Math.min(1, viewport.width / r.width, viewport.height / r.height) : 1;
  return { scale: clampScale(scale), offsetX: 0, offsetY: 0, rotation };
}

/**
 * One original pixel to one screen pixel, keeping the point at the viewport's centre where it was. `displayed` is the
 * picture the browser holds, `original` the slide's size from the meta (bigger when the preview was shrunk).
 */
export function actualPixelsView(view: SlideView, displayed: Size, original: Size): SlideView {
  const target = displayed.width > 0 ? original.width / displayed.width : 1;
  return zoomAt(view, target / view.scale, { x: 0, y: 0 });
}

/**
 * Zooms by `factor` keeping the image point under `at` (px from the viewport's centre) under it: the offset from that
 * point to the image centre scales with the picture.
 */
export function zoomAt(view: SlideView, factor: number, at: { x: number; y: number }): SlideView {
  const scale = clampScale(view.scale * factor);
  const k = scale / view.scale;
  return { ...view, scale, offsetX: at.x - (at.x - view.offsetX) * k, offsetY: at.y - (at.y - view.offsetY) * k };
}

/** The zoom factor of a wheel event: one step per ≈ 100 px of scrolling, down zooms out. */
export function wheelFactor(deltaY: number): number {
  return Math.pow(zoomStep, -deltaY / 100);
}

export function panBy(view: SlideView, dx: number, dy: number): SlideView {
  return { ...view, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy };
}

/** A quarter turn clockwise about the viewport's centre (the picture's centre goes round with it). */
export function rotateClockwise(view: SlideView): SlideView {
  return { ...view, rotation: (view.rotation + 90) % 360, offsetX: -view.offsetY, offsetY: view.offsetX };
}

/** The zoom a user reads: screen px per original px, in percent (100 % = 1:1 of the slide, not of the preview). */
export function zoomPercent(view: SlideView, displayed: Size, original: Size): number {
  if (original.width <= 0) return Math.round(view.scale * 100);
  return Math.round((view.scale * displayed.width * 100) / original.width);
}

/** The CSS transform of the picture, placed with its centre at the viewport's centre. */
export function cssTransform(view: SlideView): string {
  return `translate(-50%, -50%) translate(${view.offsetX}px, ${view.offsetY}px) rotate(${view.rotation}deg) scale(${view.scale})`;
}
