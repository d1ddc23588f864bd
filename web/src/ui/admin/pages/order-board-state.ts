import type { BoardDelta, OrderBoard } from '../data';

/**
 * The board with one order's card moved to the column of its new stage (newest first). The delta
 * does not say which stage it left, so the card is taken out of whichever column lists it; counts
 * follow the cards the page knows of, and the next `board` snapshot corrects them. Pure.
 */
export function withChange(board: OrderBoard, delta: BoardDelta): OrderBoard {
  const columns = board.columns.map((column) => {
    const had = column.cards.some((card) => card.orderId === delta.orderId);
    const cards = column.cards.filter((card) => card.orderId !== delta.orderId);
    const here = column.stage === delta.stage;
    if (here) cards.unshift(delta.card);
    return { ...column, cards, total: column.total - (had ? 1 : 0) + (here ? 1 : 0) };
  });
  return { ...board, columns };
}
