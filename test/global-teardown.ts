import { startedContainers } from '../libs/testing/src/services';

/** Stops the containers global setup started (none when the run used the local services). */
export default async function globalTeardown(): Promise<void> {
  await Promise.all(startedContainers.splice(0).map((container) => container.stop()));
}
