import { ensureLocalServices, type LocalServices } from '../../local/services/index.ts';

let services: Promise<LocalServices> | undefined;

/**
 * Starts (or reuses) the local Kafka broker and moto server once per test process and returns where they
 * are. They are left running afterwards: later test files reuse them, and CI discards the machine.
 */
export function useLocalServices(): Promise<LocalServices> {
  services ??= ensureLocalServices().catch((error: unknown) => {
    // A failed start is not memoised, so a later test file may try again.
    services = undefined;
    throw error;
  });
  return services;
}
