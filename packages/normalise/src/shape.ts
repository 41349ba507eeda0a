/**
 * Fixed-shape records for the replay's hot loop. V8 turns an object into a slow hash-table
 * ("dictionary mode") once a dozen-odd properties are added to it by computed-key stores, which
 * is exactly how events are built (`fields[name] = value`). An object made by a constructor that
 * pre-declares every key keeps fast in-object properties, and later stores only overwrite them.
 * Absent fields are present with the value `undefined`, which every consumer treats as missing.
 * The objects inherit nothing (`toString`, `constructor` are not fields unless the event has them).
 */
export type ShapeFactory = () => Record<string, undefined>;

const cache = new Map<string, ShapeFactory>();

export function shapeFactory(keys: Iterable<string>): ShapeFactory {
  const list = [...new Set(keys)];
  const id = JSON.stringify(list);
  let f = cache.get(id);
  if (!f) {
    // Keys are embedded as JSON string literals: no key can break out of the generated code.
    const body = list.map((k) => `this[${JSON.stringify(k)}] = undefined;`).join('\n');
    const Ctor = new Function(body) as unknown as new () => Record<string, undefined>;
    // No inherited members: a field named `toString` or `constructor` must read as absent.
    Ctor.prototype = Object.create(null);
    f = () => new Ctor();
    cache.set(id, f);
  }
  return f;
}
