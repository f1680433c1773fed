import { describe, expect, it } from 'vitest';
import {
  cornerstoneToolFor,
  cornerstoneTools,
  dicomViewerLabels,
  imageSources,
  loadErrorText,
  numberList,
  orderInstances,
  sameSources,
  sliceLabel,
  toolBindings,
  viewerTools,
  voiRangeToWindow,
  wadouriImageId,
  windowPresets,
  windowToVoiRange,
} from './dicom-viewer.model.js';

describe('imageSources', () => {
  it('turns URLs into wadouri ids and buffers into files, keeping names', () => {
    const buf = new ArrayBuffer(4);
    expect(imageSources([])).toEqual([]);
    expect(imageSources(['/a.dcm', buf, { name: 'x.dcm', data: buf }])).toEqual([
      { kind: 'url', url: '/a.dcm' },
      { kind: 'file', name: 'image-2.dcm', data: buf },
      { kind: 'file', name: 'x.dcm', data: buf },
    ]);
    expect(wadouriImageId('/api/v1/files/1', 'https://yilian.example/cases/3')).toBe('wadouri:https://yilian.example/api/v1/files/1');
    expect(wadouriImageId('https://pacs.example/x.dcm', 'https://yilian.example/')).toBe('wadouri:https://pacs.example/x.dcm');
  });
});

describe('sameSources', () => {
  it('treats equal lists as the same, so a re-render does not reload', () => {
    const buf = new ArrayBuffer(2);
    expect(sameSources(['/a', '/b'], ['/a', '/b'])).toBe(true);
    expect(sameSources(['/a'], ['/a', '/b'])).toBe(false);
    expect(sameSources([buf], [buf])).toBe(true);
    expect(sameSources([buf], [new ArrayBuffer(2)])).toBe(false);
    expect(sameSources([{ name: 'x', data: buf }], [{ name: 'x', data: buf }])).toBe(true);
    expect(sameSources([{ name: 'x', data: buf }], [{ name: 'y', data: buf }])).toBe(false);
  });
});

describe('tool bindings', () => {
  it('always scrolls with the wheel, zooms with the right and pans with the middle button', () => {
    for (const t of viewerTools) {
      const b = toolBindings(t);
      expect(Object.keys(b).sort()).toEqual([...cornerstoneTools].sort());
      expect(b['StackScroll']).toContain('wheel');
      expect(b['Zoom']).toContain('secondary');
      expect(b['Pan']).toContain('auxiliary');
      // Exactly one tool owns the left button: the chosen one.
      const primaries = Object.entries(b).filter(([, v]) => v.includes('primary'));
      expect(primaries).toEqual([[cornerstoneToolFor[t], expect.any(Array)]]);
    }
  });

  it('window/level by default on the left button; measuring replaces it, and leaves no other binding for Length', () => {
    expect(toolBindings('windowLevel')).toEqual({ StackScroll: ['wheel'], Zoom: ['secondary'], Pan: ['auxiliary'], WindowLevel: ['primary'], Length: [] });
    expect(toolBindings('ruler')).toMatchObject({ WindowLevel: [], Length: ['primary'] });
    expect(toolBindings('zoom')['Zoom']).toEqual(['primary', 'secondary']);
  });
});

describe('orderInstances', () => {
  const axial = [1, 0, 0, 0, 1, 0];
  it('orders along the slice normal when positions are known', () => {
    expect(
      orderInstances([
        { imageId: 'c', instanceNumber: 1, imagePositionPatient: [0, 0, 30], imageOrientationPatient: axial },
        { imageId: 'a', instanceNumber: 3, imagePositionPatient: [0, 0, -10], imageOrientationPatient: axial },
        { imageId: 'b', instanceNumber: 2, imagePositionPatient: [0, 0, 10], imageOrientationPatient: axial },
      ]),
    ).toEqual(['a', 'b', 'c']);
  });

  it('falls back to instance number, then to the given order', () => {
    expect(orderInstances([{ imageId: 'b', instanceNumber: 2 }, { imageId: 'a', instanceNumber: 1 }])).toEqual(['a', 'b']);
    expect(orderInstances([{ imageId: 'b', instanceNumber: 2 }, { imageId: 'a' }])).toEqual(['b', 'a']);
    expect(orderInstances([])).toEqual([]);
  });
});

describe('windows', () => {
  const text = dicomViewerLabels('zh-CN');
  it('offers the file windows with their explanations, and the standard CT windows for CT', () => {
    const presets = windowPresets({ windowCenter: [40, 400], windowWidth: [80, 1800], windowCenterWidthExplanation: ['BRAIN', ''] }, 'CT', text);
    expect(presets.slice(0, 2)).toEqual([
      { key: 'file-0', label: 'BRAIN', center: 40, width: 80 },
      { key: 'file-1', label: '文件窗 2', center: 400, width: 1800 },
    ]);
    expect(presets.find((p) => p.key === 'ct-lung')).toEqual({ key: 'ct-lung', label: '肺窗', center: -600, width: 1500 });
    expect(windowPresets({ windowCenter: 2050, windowWidth: '3400' }, 'DX', text)).toEqual([{ key: 'file-0', label: '文件窗 1', center: 2050, width: 3400 }]);
    expect(windowPresets(undefined, 'MR', text)).toEqual([]);
  });

  it('converts window ↔ VOI range like Cornerstone (PS3.3 linear function)', () => {
    expect(windowToVoiRange(40, 80)).toEqual({ lower: 0, upper: 79 });
    for (const [c, w] of [[40, 80], [-600, 1500], [2050, 3400]] as const) {
      expect(voiRangeToWindow(windowToVoiRange(c, w))).toEqual({ center: c, width: w });
    }
    expect(numberList('40\\400')).toEqual([40, 400]);
    expect(numberList(undefined)).toEqual([]);
  });
});

describe('texts', () => {
  it('counts slices from 1 and hides the counter for one image', () => {
    expect(sliceLabel(0, 12)).toBe('1 / 12');
    expect(sliceLabel(11, 12)).toBe('12 / 12');
    expect(sliceLabel(0, 1)).toBeNull();
    expect(sliceLabel(null, 5)).toBeNull();
  });

  it('turns loader errors into text', () => {
    expect(loadErrorText({ type: 'error', error: new Error('Not a DICOM file') })).toBe('Not a DICOM file');
    expect(loadErrorText(new Error('boom'))).toBe('boom');
    // The wadouri loader rejects with the XMLHttpRequest itself.
    expect(loadErrorText({ status: 404, statusText: 'Not Found', readyState: 4 })).toBe('HTTP 404 Not Found');
    expect(loadErrorText({ status: 0 })).toBe('network error');
    expect(loadErrorText({ target: { status: 500 } })).toBe('HTTP 500');
    expect(loadErrorText({})).toBeNull();
  });

  it('has every label in both languages', () => {
    const zh = dicomViewerLabels('zh-CN');
    const en = dicomViewerLabels('en');
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const t of viewerTools) {
      expect(zh.tools[t]).toBeTruthy();
      expect(en.hints[t]).toBeTruthy();
    }
    expect(Object.keys(zh.ctPresets).sort()).toEqual(Object.keys(en.ctPresets).sort());
    expect(zh.tools.ruler).toBe('测量长度');
  });
});
