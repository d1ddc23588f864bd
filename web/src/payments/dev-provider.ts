import type { PaymentProvider } from './provider';

/** The published test numbers: one always authorizes, one is always declined. */
export const DEV_CARDS = { authorize: '4242424242424242', decline: '4000000000000002' } as const;

/** A provider with no network: answers by card number, so every path can be tried locally. */
export function devPaymentProvider(): PaymentProvider {
  return {
    name: 'dev',
    checkCard(card) {
      if (card.number === DEV_CARDS.authorize || card.number === DEV_CARDS.decline) return [];
      return [
        { path: '/cardNumber', message: 'Use a test card: 4242 4242 4242 4242 or 4000 0000 0000 0002' },
      ];
    },
    async authorize({ paymentId, card }) {
      const reference = `dev_${paymentId}`;
      if (card.number === DEV_CARDS.authorize) return { status: 'authorized', reference };
      return { status: 'declined', reference, message: 'The card was declined' };
    },
    // Nothing is held anywhere: a dev authorization is only a word.
    async voidAuthorization() {},
  };
}
