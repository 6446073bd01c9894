/** Saves a file the app holds (a blob, or text it fetched with the user's token) under the given name, as a download. */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  // Honoured because the object URL is of the app's own origin (a link to another origin's file saves under that file's name).
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** A PEM text (certificate, key, CA) saved as a file. */
export function savePem(filename: string, text: string): void {
  saveBlob(filename, new Blob([text], { type: 'application/x-pem-file' }));
}
