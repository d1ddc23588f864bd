import type { PaymentStatus } from '@az-shop/common';
import type { FieldProblem } from '../forms/field-errors';
import type { Card } from './card';

export interface AuthorizeRequest {
  paymentId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  card: Card;
}

export interface Authorization {
  status: PaymentStatus;
  /** The provider's id of the attempt. */
  reference: string;
  /** Why a card was declined, in words for the shopper. */
  message?: string;
}

/** Where cards are charged. Web calls it once per payment attempt, before writing the payment. */
export interface PaymentProvider {
  readonly name: string;
  /** Card problems this provider knows before charging (a number it never takes, for instance). */
  checkCard(card: Card): FieldProblem[];
  authorize(request: AuthorizeRequest): Promise<Authorization>;
  /** Releases an authorization that will not be used (the order was paid by another attempt). */
  voidAuthorization(reference: string): Promise<void>;
}
