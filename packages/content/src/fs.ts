// The file-system helpers moved to @dac/fs (the one file-system layer); re-exported for callers.
export { ensureDir, isFileSystemError } from '@dac/fs';
