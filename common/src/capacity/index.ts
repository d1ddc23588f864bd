export { type CapacitySlotsDocument, capacitySlots } from './slots';
