// The Grafana fake lives in ./grafana/; this path stays for the tests and scripts that import it.
export * from './grafana/index.ts'
