import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AuditLog, mongoAuditLog } from '../../admin/audit';
import { type AdminCatalog, adminCatalog } from '../../admin/catalog-service';
import { type AdminOperations, adminOperations } from '../../admin/operations-service';

declare module 'fastify' {
  interface FastifyInstance {
    /** The catalog as the back office changes it (every change audited). */
    adminCatalog: AdminCatalog;
    /** Who changed what in the back office (`admin_audit`). */
    audit: AuditLog;
    /** Processors' state and parked events; admin replay/discard requests (`parked_event_requests`). */
    adminOperations: AdminOperations;
  }
}

export const adminPlugin = fp(
  async (app: FastifyInstance) => {
    const audit = mongoAuditLog(app.db);
    app.decorate('audit', audit);
    app.decorate('adminCatalog', adminCatalog(app.db, audit));
    app.decorate('adminOperations', adminOperations(app.db, audit));
  },
  { name: 'az-shop-admin', dependencies: ['az-shop-mongo'] },
);
