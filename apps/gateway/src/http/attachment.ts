/**
 * A Content-Disposition that downloads the answer as a file. The names are ours (a report and a day, a client id), so
 * anything but letters, digits, dot, dash and underscore becomes `_`: the header never needs quoting rules or RFC 5987.
 */
export function attachment(fileName: string): string {
  return `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}
