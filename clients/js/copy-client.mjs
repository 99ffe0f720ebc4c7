// npm pack / npm publish run this first: the package ships exactly the client the server serves at /ws/client.js,
// copied from the server's resources, so the two cannot drift apart.
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const served = join(here, '..', '..', 'server', 'src', 'main', 'resources', 'web');
for (const file of ['client.js', 'client.d.ts']) {
  copyFileSync(join(served, file), join(here, file));
}
