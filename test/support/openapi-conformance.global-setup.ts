import { clearConformanceRecords } from './openapi-conformance.global';

export default function globalSetup(): void {
  clearConformanceRecords();
}
