import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { appointments, departments, slots } from '../../db/schema/index.js';

/**
 * Read-only lookups the FHIR façade needs and the capacity service does not offer: an appointment by id (Appointment
 * read) and a slot's schedule and start (Slot read goes through CapacityService.listSlots on that instant, so the
 * reservation is shown exactly as in a search). Never writes: booking goes through ReferralService.bookSlot.
 */
export class FhirSlotsRepository {
  constructor(private readonly db: Db) {}

  async appointment(id: string): Promise<{
    id: string; slotId: string; referralId: string | null; status: typeof appointments.$inferSelect.status; bookedAt: Date; start: Date; end: Date; departmentName: string;
  } | undefined> {
    const [row] = await this.db
      .select({
        id: appointments.id, slotId: appointments.slotId, referralId: appointments.referralId, status: appointments.status, bookedAt: appointments.bookedAt,
        start: slots.start, end: slots.end, departmentName: departments.name,
      })
      .from(appointments)
      .innerJoin(slots, eq(slots.id, appointments.slotId))
      .innerJoin(departments, eq(departments.id, slots.departmentId))
      .where(eq(appointments.id, id))
      .limit(1);
    return row;
  }

  async slotKey(id: string): Promise<{ scheduleId: string; start: Date } | undefined> {
    const [row] = await this.db.select({ scheduleId: slots.scheduleId, start: slots.start }).from(slots).where(eq(slots.id, id)).limit(1);
    return row;
  }
}
