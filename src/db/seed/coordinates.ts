/**
 * Approximate sites (WGS-84 latitude/longitude, decimal degrees) of the demo county's facilities, used for the
 * straight-line distances of the referral routing recommendation — never for navigation.
 *
 * **These are approximations authored for the demo**, not survey data: no package available to the platform carries
 * township coordinates (docs/platform-notes.md, "Data packages"). The seats of the 18 townships of 长汀县
 * (乡镇人民政府驻地) are placed from the county's published extent (25°18′–26°02′ N, 116°00′–116°40′ E), the
 * published positions of 汀州镇 (the county seat) and 三洲镇, and each township's neighbours and distance from the
 * county seat. They are meant to be right to a few kilometres; some may be further off. Village clinics are placed
 * **schematically**: their township seat plus a deterministic offset of 1.5–6 km derived from the village code, so that
 * distances inside a township are plausible but positions are not real.
 *
 * A real deployment registers its facilities with their real coordinates through `yilian import organizations`
 * (columns `latitude`, `longitude`; docs/import-formats.md) or the organization API; these demo values are not meant
 * to be kept. See docs/referral-routing.md.
 */

export interface LatLon {
  latitude: number;
  longitude: number;
}

/** Township seats of 长汀县 (350821), by GB/T 2260 township code. Approximate; see the header. */
export const CHANGTING_TOWNSHIP_SEATS: Readonly<Record<string, LatLon & { name: string }>> = {
  '350821100': { name: '汀州镇', latitude: 25.8346, longitude: 116.3479 }, // county seat
  '350821101': { name: '大同镇', latitude: 25.872, longitude: 116.329 }, // just north of the town, around it
  '350821102': { name: '古城镇', latitude: 25.866, longitude: 116.205 }, // west, on G319 towards 瑞金
  '350821103': { name: '新桥镇', latitude: 25.795, longitude: 116.455 }, // east-north-east, north of 河田
  '350821104': { name: '馆前镇', latitude: 25.985, longitude: 116.445 }, // north-north-east, towards 宁化
  '350821105': { name: '童坊镇', latitude: 25.900, longitude: 116.540 }, // north-east, towards 连城
  '350821106': { name: '河田镇', latitude: 25.660, longitude: 116.410 }, // south-east, on G319 towards 龙岩
  '350821107': { name: '南山镇', latitude: 25.700, longitude: 116.530 }, // east of 河田
  '350821108': { name: '濯田镇', latitude: 25.545, longitude: 116.300 }, // south, on the 汀江, south-west of 三洲
  '350821109': { name: '四都镇', latitude: 25.640, longitude: 116.180 }, // south-west, towards 瑞金/会昌
  '350821110': { name: '涂坊镇', latitude: 25.580, longitude: 116.470 }, // south-east of 三洲
  '350821111': { name: '策武镇', latitude: 25.740, longitude: 116.330 }, // south of the county seat, west of 河田
  '350821112': { name: '三洲镇', latitude: 25.603, longitude: 116.3744 }, // south-east, on the 汀江
  '350821201': { name: '铁长乡', latitude: 25.960, longitude: 116.230 }, // north-west
  '350821202': { name: '庵杰乡', latitude: 26.000, longitude: 116.330 }, // north
  '350821204': { name: '宣成乡', latitude: 25.470, longitude: 116.220 }, // south-west
  '350821205': { name: '红山乡', latitude: 25.400, longitude: 116.330 }, // far south, towards 武平
  '350821206': { name: '羊牯乡', latitude: 25.480, longitude: 116.520 }, // south-east, towards 上杭/连城
};

/** Hospitals of the demo network, by the key the demo seed registers them under. Approximate. */
export const DEMO_HOSPITAL_SITES: Readonly<Record<string, LatLon>> = {
  // In 汀州镇, a few hundred metres apart.
  'county-hospital': { latitude: 25.838, longitude: 116.353 },
  'county-tcm-hospital': { latitude: 25.829, longitude: 116.358 },
  'county-mch-hospital': { latitude: 25.842, longitude: 116.344 },
  // 龙岩市第一医院, 龙岩市新罗区.
  'city-hospital': { latitude: 25.08, longitude: 117.02 },
  // 福建医科大学附属协和医院, 福州市鼓楼区.
  'regional-medical-center': { latitude: 26.08, longitude: 119.3 },
};

/** FNV-1a, 32 bit: a stable hash so a village's schematic offset never changes between runs. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A point `minKm`–`maxKm` from `seat` in a direction and at a distance derived from `key` (schematic, deterministic).
 * Kilometres to degrees: 1° of latitude ≈ 111.2 km; 1° of longitude ≈ 111.2 km × cos(latitude).
 */
export function schematicOffset(seat: LatLon, key: string, minKm = 1.5, maxKm = 6): LatLon {
  const h = hash32(key);
  const angle = ((h & 0xffff) / 0x10000) * 2 * Math.PI;
  const km = minKm + (((h >>> 16) & 0xffff) / 0x10000) * (maxKm - minKm);
  const dLat = (km * Math.cos(angle)) / 111.2;
  const dLon = (km * Math.sin(angle)) / (111.2 * Math.cos((seat.latitude * Math.PI) / 180));
  return { latitude: seat.latitude + dLat, longitude: seat.longitude + dLon };
}

const fixed = (p: LatLon): { latitude: string; longitude: string } => ({
  latitude: p.latitude.toFixed(6),
  longitude: p.longitude.toFixed(6),
});

function seatOf(townshipCode: string): LatLon {
  const seat = CHANGTING_TOWNSHIP_SEATS[townshipCode];
  if (!seat) throw new Error(`No authored seat coordinate for township ${townshipCode} (src/db/seed/coordinates.ts)`);
  return seat;
}

/**
 * The demo site of an organization the demo seed registers under `key` (see `addOrg` in demo-county.ts):
 * `county-hospital` … `regional-medical-center`, `thc:<township>` (township health center: the seat), `chc:<township>:<i>`
 * (community health centers of the urban core: the seat, the second one ~1–2 km off), `vc:<village>` (village clinic:
 * schematic offset from its township seat). Values are strings with six decimals, as the numeric(9,6) columns take them.
 * Throws for a key it does not know, so a new kind of demo facility cannot silently lack a site.
 */
export function demoOrganizationSite(key: string): { latitude: string; longitude: string } {
  const hospital = DEMO_HOSPITAL_SITES[key];
  if (hospital) return fixed(hospital);
  const [kind, code, index] = key.split(':');
  if (kind === 'thc' && code) return fixed(seatOf(code));
  if (kind === 'chc' && code) return fixed(index === '0' ? seatOf(code) : schematicOffset(seatOf(code), key, 1, 2));
  if (kind === 'vc' && code) return fixed(schematicOffset(seatOf(code.slice(0, 9)), code));
  throw new Error(`No demo site for organization key ${key} (src/db/seed/coordinates.ts)`);
}
