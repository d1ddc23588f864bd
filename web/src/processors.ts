import {
  createProcessor,
  createServiceReactions,
  FULFILMENTS,
  type Logger,
  processorDefaults,
  type ReactionOptions,
  type ServiceReactions,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import type { PaymentProvider } from './payments/provider';
import { REFUNDS_DUE_PIPELINE, refundHandler } from './payments/refunds';

/**
 * Everything web reacts to, in one list:
 * - fulfilments with refundsDue → onRefundDue: refunded through the payment provider, recorded in `refunds`
 */
export function registerWebProcessors(
  deps: { db: Db; logger: Logger; provider: PaymentProvider },
  options: ReactionOptions = {},
): ServiceReactions {
  const processors = [
    createProcessor({
      ...processorDefaults(deps, options),
      name: 'web.onRefundDue',
      collection: FULFILMENTS,
      pipeline: REFUNDS_DUE_PIPELINE,
      handle: refundHandler(deps),
    }),
  ];
  return createServiceReactions({ processors, loops: [] });
}
