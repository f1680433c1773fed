/** Injectable time source: services read `ctx.clock.now()`, tests drive it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/**
 * The calendar date (YYYY-MM-DD) in China Standard Time. China has one time zone and no daylight saving,
 * so a fixed +08:00 offset is exact; "today" for memberships, rosters and indicators is always this date.
 */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
