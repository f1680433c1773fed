import { z } from 'zod';

/** Offset paging shared by every list endpoint; the upper bound stops a client from asking for a whole table. */
export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const offsetOf = (q: PageQuery): number => (q.page - 1) * q.pageSize;
