import type { FastifyRequest } from 'fastify';
import { sessionCartId } from '../cart/session-cart';
import { PERSONAL_PAGE_PATHS } from '../ui/routes';
import { readsPageOf, type SharedPage, shapeOf } from './shared-pages';

/**
 * A shopper's own pages (cart, checkout, my orders, an order) kept per shopper, cut at the same
 * stand-ins as a shared catalog page (shared-pages.ts), so a repeat view is a join of kept bytes, not
 * database reads and a React render. A kept page is dropped when its data may have changed:
 * - a change stream reports a change to the shopper's cart, orders, fulfilments, payments or
 *   cancellations (`forgetOwner`), or to the catalog (`clear`); a read that overlapped such a change
 *   is not kept, since it may predate it;
 * - the shopper wrote through any instance: a page is served only if it was read after their
 *   session's write stamp (auth/last-write.ts), so a page read before the write on another
 *   instance, whose change stream has not told it yet, is never shown to the writer.
 * The TTL bounds staleness while a change stream is down; changes by someone else (the factory
 * moving an order on, another device of the same shopper) show once their event arrives.
 */

/** Whose data a page shows (the shopper's cart id: `user:<sub>` once signed in) and which page it is. */
export interface PersonalPageKey {
  owner: string;
  page: string;
}

/** The kept-page key of a GET of a personal page; undefined for other requests and visitors without a cart. */
export function personalPageKey(request: FastifyRequest): PersonalPageKey | undefined {
  if (!readsPageOf(request, PERSONAL_PAGE_PATHS)) return undefined;
  const owner = sessionCartId(request);
  // The shape is in the key: the roles decide the header's admin badge.
  return owner ? { owner, page: `${shapeOf(request.user)} ${request.url}` } : undefined;
}

interface KeptPage {
  page: SharedPage;
  readAt: number;
  expires: number;
}

export interface PersonalPagesOptions {
  ttlMs: number;
  /** Pages kept at most, over all shoppers (the shopper kept longest ago goes first, all their pages). */
  maxPages?: number;
  /** Pages kept at most per shopper (their oldest goes first): junk query strings make no more. */
  maxPagesPerOwner?: number;
  now?: () => number;
}

/** One shopper's page being read and rendered: kept only if nothing of theirs changed meanwhile. */
export interface PersonalPageRead {
  keep(page: string, rendered: SharedPage): void;
  /** Ends the read (kept or not): call it in a `finally`. */
  end(): void;
}

export class PersonalPages {
  private readonly owners = new Map<string, Map<string, KeptPage>>();
  private readonly reading = new Map<string, Set<{ spoiled: boolean }>>();
  private size = 0;
  private byteSize = 0;
  private readonly ttlMs: number;
  private readonly maxPages: number;
  private readonly maxPagesPerOwner: number;
  private readonly now: () => number;

  constructor({ ttlMs, maxPages = 2000, maxPagesPerOwner = 8, now = Date.now }: PersonalPagesOptions) {
    this.ttlMs = ttlMs;
    this.maxPages = maxPages;
    this.maxPagesPerOwner = maxPagesPerOwner;
    this.now = now;
  }

  /** The kept page, if it is fresh and was read after `readAfter` (auth/last-write.ts). */
  peek({ owner, page }: PersonalPageKey, readAfter: number): SharedPage | undefined {
    const kept = this.owners.get(owner)?.get(page);
    if (!kept || kept.expires <= this.now() || kept.readAt <= readAfter) return undefined;
    return kept.page;
  }

  /** Starts reading `owner`'s data for a page; it is kept only if read after `readAfter`. */
  begin(owner: string, readAfter: number): PersonalPageRead {
    const readAt = this.now();
    const state = { spoiled: readAt <= readAfter };
    let reads = this.reading.get(owner);
    if (!reads) {
      reads = new Set();
      this.reading.set(owner, reads);
    }
    reads.add(state);
    const end = () => {
      state.spoiled = true; // an ended read keeps nothing more
      reads.delete(state);
      if (reads.size === 0 && this.reading.get(owner) === reads) this.reading.delete(owner);
    };
    return {
      keep: (page, rendered) => {
        if (state.spoiled) return;
        this.store(owner, page, { page: rendered, readAt, expires: readAt + this.ttlMs });
      },
      end,
    };
  }

  /** Drops `owner`'s pages, and the pages of theirs being read now (they may predate the change). */
  forgetOwner(owner: string): void {
    const pages = this.owners.get(owner);
    if (pages) {
      for (const kept of pages.values()) this.byteSize -= kept.page.partsLength;
      this.size -= pages.size;
      this.owners.delete(owner);
    }
    for (const read of this.reading.get(owner) ?? []) read.spoiled = true;
  }

  /** Drops every page, those being read included (a catalog change: every page may show it). */
  clear(): void {
    this.owners.clear();
    this.size = 0;
    this.byteSize = 0;
    for (const reads of this.reading.values()) for (const read of reads) read.spoiled = true;
  }

  /** Pages kept now. */
  get pages(): number {
    return this.size;
  }

  /** The kept pages' bytes (their parts; what they hold in memory, near enough). */
  get bytes(): number {
    return this.byteSize;
  }

  private store(owner: string, page: string, kept: KeptPage): void {
    const pages = this.owners.get(owner) ?? new Map<string, KeptPage>();
    // Most recently kept last: the eviction below takes the shopper kept longest ago.
    this.owners.delete(owner);
    this.owners.set(owner, pages);
    const replaced = pages.get(page);
    if (replaced) this.drop(pages, page, replaced);
    pages.set(page, kept);
    this.size++;
    this.byteSize += kept.page.partsLength;
    if (pages.size > this.maxPagesPerOwner) {
      const [oldest] = pages.entries();
      if (oldest) this.drop(pages, ...oldest);
    }
    while (this.size > this.maxPages) {
      const [oldestOwner] = this.owners.keys();
      if (oldestOwner === undefined || oldestOwner === owner) break;
      this.forgetOwner(oldestOwner);
    }
  }

  private drop(pages: Map<string, KeptPage>, page: string, kept: KeptPage): void {
    pages.delete(page);
    this.size--;
    this.byteSize -= kept.page.partsLength;
  }
}
