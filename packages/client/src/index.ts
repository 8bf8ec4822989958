export { signedFetch, SignedFetchError, type SignedFetchOptions } from './signed-fetch';
