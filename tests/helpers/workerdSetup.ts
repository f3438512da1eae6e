/** The api project's global setup: on the workerd run, wrangler bundles the Worker and migrates a template D1 once. */
import { buildWorkerd } from './workerd';

export default async function setup() {
  if (process.env.KEYFOB_TEST_RUNTIME === 'workerd') await buildWorkerd();
}
