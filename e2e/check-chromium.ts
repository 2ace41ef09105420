// `npm test` needs a real Chrome, Chromium or Edge; say in one line what to install when none is found.
import { chromiumFound, chromiumMissingMessage } from './chromium';

if (!chromiumFound()) {
  console.error(chromiumMissingMessage());
  process.exit(1);
}
