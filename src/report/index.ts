export {
  COMMENT_BUDGET,
  DETAIL_LEVELS,
  SUMMARY_BUDGET,
  renderMarkdown,
  renderMarkdownLevel,
  type DetailLevel,
} from './markdown.ts'
export { renderText } from './text.ts'
export { renderJson } from './json.ts'
export { renderValidation, type ValidationInput } from './validation.ts'
export { escapeMarkdown } from './escape.ts'
export {
  cancelledText,
  changeLine,
  changeSummary,
  kindCounts,
  tally,
  tallyText,
  writtenBeforeBlock,
  type ReportInput,
  type Tally,
} from './describe.ts'
export {
  renderInstancesJson,
  renderInstancesMarkdown,
  type InstanceReport,
  type InstancesReportInput,
} from './instances.ts'
