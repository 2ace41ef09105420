// `npm test` needs a real Chromium; say in one line how to get one when it is missing.
import { chromiumFound, chromiumPath } from './chromium';

if (!chromiumFound()) {
  console.error(
    `No Chromium at ${chromiumPath}: install it with \`sudo apt-get install -y chromium\` or set CHROME_PATH to a Chrome/Chromium 113+ binary.`,
  );
  process.exit(1);
}
