export { main, buildProgram } from './program';
export type { Io } from './io';
export { renderCapacity } from './render/capacity';
export { renderDiffMarkdown, COMMENT_MARKER } from './render/diff';
export { UserError } from './errors';
