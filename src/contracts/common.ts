import { z } from 'zod';

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
