// An entry as `get` (and `lease`) answer it: the value as sent, timestamps as Dates.

/** An answer's entry members (`value`, `version`, timestamps) as an Entry. */
export function entryFrom(object) {
  const date = (text) => (typeof text === 'string' ? new Date(text) : null);
  return {
    value: object.value,
    version: object.version,
    createdAt: date(object.created_at),
    updatedAt: date(object.updated_at),
    expiresAt: date(object.expires_at),
  };
}
