import type { RecordedRequest } from './schemas/control.schemas';

/**
 * Enough for any test run; the bound only keeps a stand-alone emulator that frontend
 * teams leave running for days from growing without end.
 */
export const DEFAULT_RECORDING_LIMIT = 10_000;

/** The requests the emulator received on non-control routes, in arrival order (oldest dropped past the limit). */
export class RequestRecorder {
  private entries: RecordedRequest[] = [];

  constructor(private readonly limit = DEFAULT_RECORDING_LIMIT) {}

  /** Returns the stored entry so its body can be filled in once parsed. */
  record(entry: RecordedRequest): RecordedRequest {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.shift();
    return entry;
  }

  list(): RecordedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
