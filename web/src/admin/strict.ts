import { type TProperties, Type } from 'typebox';

/**
 * An object schema that refuses unknown keys with a 400 (`?stage[$ne]=x` included). Fastify's Ajv
 * drops unknown keys quietly where `additionalProperties` is `false`; a schema there is checked instead.
 */
export function strictObject<T extends TProperties>(properties: T) {
  return Type.Object(properties, { additionalProperties: Type.Never() });
}
