import type { BoardItem, FactoryBoard } from '../data';

/**
 * The board with one item moved to where its `item` event says it is now (its column's count
 * follows). The next `board` snapshot, sent after each burst, replaces everything anyway. Pure.
 */
export function withItem(board: FactoryBoard, item: BoardItem): FactoryBoard {
  const columns = board.columns.map((column) => {
    const had = column.items.some((i) => i.id === item.id);
    const items = column.items.filter((i) => i.id !== item.id);
    if (column.stage === item.stage) items.unshift(item);
    const count = column.count - (had ? 1 : 0) + (column.stage === item.stage ? 1 : 0);
    return { ...column, items, count };
  });
  return { ...board, columns };
}
