// Paging parameters of the versioned API: bounded so one request can never ask for an unbounded answer.

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly pages: number;
}

function intParam(value: unknown, fallback: number): number {
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value)) return fallback;
  return Number(value);
}

/** `page` counts from 1; out-of-range values are clamped rather than refused (links from older pages keep working). */
export function paginate<T>(all: readonly T[], query: Record<string, unknown>): Page<T> {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, intParam(query.pageSize, DEFAULT_PAGE_SIZE)));
  const pages = Math.max(1, Math.ceil(all.length / pageSize));
  const page = Math.min(pages, Math.max(1, intParam(query.page, 1)));
  return { items: all.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: all.length, pages };
}
