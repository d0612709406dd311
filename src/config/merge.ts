// defaultPoolConfigs from config.json sits under every pool file; the pool file wins key by key.

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Objects merge recursively; anything else (numbers, strings, lists) is replaced whole, so a pool's `daemons` list
 * never gets half of the default list mixed in. Object.fromEntries defines own properties, so a "__proto__" key in
 * a file stays an ordinary (and later rejected) key instead of changing a prototype.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const keys = [...new Set([...Object.keys(base), ...Object.keys(override)])];
  return Object.fromEntries(
    keys.map((key) => [key, Object.hasOwn(override, key) ? deepMerge(base[key], override[key]) : base[key]]),
  );
}

/** Whether `path` names a value present in `data` (used to tell which file a merged value came from). */
export function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  let node = data;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') {
      if (key >= node.length) return false;
      node = node[key];
    } else if (isPlainObject(node) && Object.hasOwn(node, String(key))) {
      node = node[String(key)];
    } else {
      return false;
    }
  }
  return true;
}
