// Run as the victim uid by identity-two-uids.test.js, without XDG_RUNTIME_DIR or
// LOCKET_SOCKET: tries to store a password and prints what it got, as JSON.
import { setPassword } from '../../index.js';

try {
  await setPassword('victim-app', 'victim', 'hunter2');
  console.log(JSON.stringify({ stored: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, path: error.path, ownerUid: error.ownerUid, message: error.message }));
}
