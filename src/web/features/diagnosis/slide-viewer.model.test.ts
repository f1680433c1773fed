import { describe, expect, it } from 'vitest';
import {
  actualPixelsView, cssTransform, fitView, maxScale, minScale, panBy, rotateClockwise, rotatedSize, wheelFactor, zoomAt, zoomPercent,
} from './slide-viewer.model.js';

const viewport = { width: 800, height: 600 };

describe('slide viewer view math', () => {
  it('fit shows the whole picture centred, never enlarged; a quarter turn fits the turned box', () => {
    expect(fitView({ width: 1600, height: 600 }, viewport)).toEqual({ scale: 0.5, offsetX: 0, offsetY: 0, rotation: 0 });
    expect(fitView({ width: 200, height: 100 }, viewport).scale).toBe(1);
    expect(rotatedSize({ width: 1600, height: 600 }, 90)).toEqual({ width: 600, height: 1600 });
    expect(fitView({ width: 1600, height: 600 }, viewport, 90).scale).toBeCloseTo(600 / 1600);
  });

  it('zooming at a point keeps the image point under it', () => {
    const v = { scale: 0.5, offsetX: 40, offsetY: -20, rotation: 0 };
    const at = { x: 100, y: 50 };
    // image coordinate (from the picture's centre, unrotated) under `at`
    const imagePoint = (w: typeof v) => ({ x: (at.x - w.offsetX) / w.scale, y: (at.y - w.offsetY) / w.scale });
    const zoomed = zoomAt(v, 2, at);
    expect(zoomed.scale).toBe(1);
    expect(imagePoint(zoomed).x).toBeCloseTo(imagePoint(v).x);
    expect(imagePoint(zoomed).y).toBeCloseTo(imagePoint(v).y);
    expect(zoomAt(v, 1e6, at).scale).toBe(maxScale);
    expect(zoomAt(v, 1e-6, at).scale).toBe(minScale);
  });

  it('the wheel zooms one step per notch, down zooms out; two notches in and out come back', () => {
    expect(wheelFactor(-100)).toBeCloseTo(1.25);
    expect(wheelFactor(100)).toBeCloseTo(0.8);
    const v = { scale: 1, offsetX: 0, offsetY: 0, rotation: 0 };
    const back = zoomAt(zoomAt(v, wheelFactor(-200), { x: 30, y: 30 }), wheelFactor(200), { x: 30, y: 30 });
    expect(back.scale).toBeCloseTo(1);
    expect(back.offsetX).toBeCloseTo(0);
  });

  it('1:1 is one original pixel a screen pixel, also when the browser holds a shrunk preview', () => {
    const v = fitView({ width: 2048, height: 1024 }, viewport);
    const one = actualPixelsView(v, { width: 2048, height: 1024 }, { width: 8192, height: 4096 });
    expect(one.scale).toBe(4);
    expect(zoomPercent(one, { width: 2048, height: 1024 }, { width: 8192, height: 4096 })).toBe(100);
    expect(zoomPercent(v, { width: 2048, height: 1024 }, { width: 8192, height: 4096 })).toBe(Math.round(v.scale * 25));
  });

  it('pan moves the offset; rotation turns clockwise in quarter turns about the viewport centre', () => {
    const v = panBy({ scale: 1, offsetX: 0, offsetY: 0, rotation: 0 }, 30, -10);
    expect([v.offsetX, v.offsetY]).toEqual([30, -10]);
    const r = rotateClockwise(v);
    expect(r.rotation).toBe(90);
    expect([r.offsetX, r.offsetY]).toEqual([10, 30]); // (30, -10) turned 90° clockwise on screen (y down)
    expect(rotateClockwise(rotateClockwise(rotateClockwise(r))).rotation).toBe(0);
    expect(cssTransform(r)).toBe('translate(-50%, -50%) translate(10px, 30px) rotate(90deg) scale(1)');
  });
});
