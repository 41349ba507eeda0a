export { CHUNK_SIZE, type EvtxIssue, type EvtxRecord, isChunkSignature } from './chunk.js';
export { FILE_HEADER_SIZE, isEvtxSignature, parseFileHeader, type FileHeader } from './file-header.js';
export {
  evtxFdSource,
  evtxFileSource,
  FILE_READ_SIZE,
  readEvtx,
  readEvtxFile,
  type EvtxReadOptions,
  type EvtxSink,
  type EvtxStats,
} from './reader.js';
