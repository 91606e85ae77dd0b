export { createHttpService, HTTP_DEFAULTS } from './service.ts'
export type {
  HttpResponse,
  HttpService,
  HttpServiceOptions,
  QueryValue,
  RequestOptions,
} from './service.ts'
export { HttpError, SERVICE_TITLES, firstAnswered, isCredentialRejected } from './errors.ts'
export type { HaltingReason, HttpErrorFields, ServiceName } from './errors.ts'
export { endpointOf } from './endpoint.ts'
export { hungRequestBudgetMs } from './retry.ts'
export type { Pick } from './pick.ts'
