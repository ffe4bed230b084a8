// keytar's API over locketd, so an app can swap `import keytar from 'keytar'`
// for this. service → ns, account → key (escaped: see names.js); the password
// is stored as a JSON string.
import { Locket } from './client.js';
import { escapeName, unescapeName } from './names.js';

let shared = null;

/** The client the keytar functions use (one per process; `useClient` replaces it). */
function client() {
  shared ??= new Locket();
  return shared;
}

/** Makes the keytar functions use `locket` (for a custom socket path or timeouts). */
export function useClient(locket) {
  shared = locket;
}

/** The password, or null when none is stored. */
export async function getPassword(service, account) {
  const value = await client().value(escapeName(service), escapeName(account), null);
  return typeof value === 'string' ? value : value === null ? null : JSON.stringify(value);
}

/** Stores the password (replacing any). */
export async function setPassword(service, account, password) {
  await client().put(escapeName(service), escapeName(account), String(password));
}

/** True when a password was deleted. */
export async function deletePassword(service, account) {
  return client().delete(escapeName(service), escapeName(account));
}

/** Every `{account, password}` of the service (sorted by account's stored name). */
export async function findCredentials(service) {
  const ns = escapeName(service);
  const locket = client();
  const items = await locket.list(ns);
  const found = await Promise.all(items.map(async (item) => {
    const password = await locket.value(ns, item.key, null);
    return password === null ? null : { account: unescapeName(item.key), password: typeof password === 'string' ? password : JSON.stringify(password) };
  }));
  return found.filter((credential) => credential !== null);
}

/** The first password of the service, or null. */
export async function findPassword(service) {
  const [first] = await findCredentials(service);
  return first ? first.password : null;
}

export default { getPassword, setPassword, deletePassword, findCredentials, findPassword, useClient };
