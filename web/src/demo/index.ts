export { DEMO_CATEGORIES, DEMO_IMAGE_FOLDER, DEMO_PRODUCTS, type DemoProduct } from './catalog';
export { type DemoSeedResult, type SeedDemoShopOptions, seedDemoShop } from './seed';
