export { createHttpService } from './service.ts'
export type {
  HttpResponse,
  HttpService,
  HttpServiceOptions,
  QueryValue,
  RequestOptions,
} from './service.ts'
export { HttpError } from './errors.ts'
export type { HttpErrorFields, ServiceName } from './errors.ts'
export { endpointOf } from './endpoint.ts'
export type { Pick } from './pick.ts'
