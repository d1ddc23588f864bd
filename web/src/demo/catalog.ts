import type { CategoryDocument, ProductDocument } from '@az-shop/common/schemas';

/** Blob folder of the demo images: a product's `imagePath` is `demo/<id>.svg`, served at `/images/…`. */
export const DEMO_IMAGE_FOLDER = 'demo';

/** One demo product: its catalog fields, and how many units the seed asks the factory to build. */
export interface DemoProduct {
  id: string;
  categoryId: string;
  heading: string;
  description: string;
  /** EUR cents. */
  amount: number;
  position: ProductDocument['position'];
  /** Units of the production request (3–8), so the shop has stock without anyone signing in. */
  stock: number;
}

export const DEMO_CATEGORIES: readonly CategoryDocument[] = [
  {
    _id: 'kitchen',
    heading: 'Kitchen',
    description: 'Things to cook, pour and serve with, made to last.',
  },
  { _id: 'garden', heading: 'Garden', description: 'Tools and pots for balconies and back gardens.' },
  { _id: 'lighting', heading: 'Lighting', description: 'Warm light for desks, tables and long evenings.' },
  { _id: 'desk', heading: 'Desk', description: 'Paper and pens for writing things down.' },
].map((category, index) => ({
  ...category,
  partition_key: category._id,
  kind: 'category' as const,
  position: index + 1,
}));

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  {
    id: 'stoneware-teapot',
    categoryId: 'kitchen',
    heading: 'Stoneware Teapot',
    description:
      'A one-litre teapot thrown in glazed stoneware, with a drip-free spout and a lid that stays put while you pour.',
    amount: 4200,
    position: 'hero',
    stock: 5,
  },
  {
    id: 'enamel-mug',
    categoryId: 'kitchen',
    heading: 'Enamel Mug',
    description:
      'Steel mug with a glossy enamel coat and a navy rim: light enough for the trail, sturdy enough for the office.',
    amount: 1450,
    position: 'highlight',
    stock: 8,
  },
  {
    id: 'oak-cutting-board',
    categoryId: 'kitchen',
    heading: 'Oak Cutting Board',
    description: 'Solid European oak, oiled by hand, with a handle to hang it by. Gentle on knives.',
    amount: 3400,
    position: 'normal',
    stock: 4,
  },
  {
    id: 'galvanised-watering-can',
    categoryId: 'garden',
    heading: 'Galvanised Watering Can',
    description:
      'Five litres of hot-dip galvanised steel, with a removable rose for watering seedlings gently.',
    amount: 4900,
    position: 'highlight',
    stock: 3,
  },
  {
    id: 'terracotta-pot',
    categoryId: 'garden',
    heading: 'Terracotta Pot',
    description: 'Unglazed clay breathes, so roots do not drown. 20 cm across, with a drainage hole.',
    amount: 1800,
    position: 'normal',
    stock: 8,
  },
  {
    id: 'arc-desk-lamp',
    categoryId: 'lighting',
    heading: 'Arc Desk Lamp',
    description:
      'A brass-finished lamp with two joints and a tilting shade that puts light exactly where you work.',
    amount: 8900,
    position: 'hero',
    stock: 4,
  },
  {
    id: 'pendant-lamp',
    categoryId: 'lighting',
    heading: 'Pendant Lamp',
    description: 'A coral steel dome on a textile cord, 40 cm wide, for a warm pool of light over the table.',
    amount: 12900,
    position: 'normal',
    stock: 3,
  },
  {
    id: 'beeswax-candle',
    categoryId: 'lighting',
    heading: 'Beeswax Candle',
    description:
      'A pure beeswax pillar with a cotton wick: about 30 hours of light and a faint smell of honey.',
    amount: 900,
    position: 'normal',
    stock: 8,
  },
  {
    id: 'linen-notebook',
    categoryId: 'desk',
    heading: 'Linen Notebook',
    description:
      'A5, 192 dotted pages of fountain-pen-friendly paper in a linen cover, with an elastic band and a ribbon.',
    amount: 1600,
    position: 'highlight',
    stock: 6,
  },
  {
    id: 'fountain-pen',
    categoryId: 'desk',
    heading: 'Fountain Pen',
    description: 'A resin fountain pen with a steel medium nib and a converter for bottled ink.',
    amount: 4900,
    position: 'normal',
    stock: 5,
  },
];

/** The SVG drawn for a product, in the demo images folder. */
export function demoImageFile(product: Pick<DemoProduct, 'id'>): string {
  return `${product.id}.svg`;
}

/** The product's blob name, which is also its `imagePath`. */
export function demoImagePath(product: Pick<DemoProduct, 'id'>): string {
  return `${DEMO_IMAGE_FOLDER}/${demoImageFile(product)}`;
}

export function demoProductDocument(product: DemoProduct): ProductDocument {
  return {
    _id: product.id,
    partition_key: product.categoryId,
    kind: 'product',
    categoryId: product.categoryId,
    heading: product.heading,
    description: product.description,
    price: { amount: product.amount, currency: 'EUR' },
    position: product.position,
    imagePath: demoImagePath(product),
  };
}
