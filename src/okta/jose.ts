// The few parts of jose the token client uses, named so the bundle keeps only them (a namespace
// import of jose would keep all of it, JWE included).
export { exportJWK, generateKeyPair, importJWK, importPKCS8, SignJWT } from 'jose'
