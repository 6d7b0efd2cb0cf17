/**
 * `@opsloom/plugin-registry`: the embedded Verdaccio (Opsloom users, publish-time manifest check,
 * publish notifications, remote organisations as cached uplinks), plugin signing, and verified
 * installation into the content-addressed plugin store.
 */
export { startRegistry, type Packument, type RegistryHandle } from './registry.js';
export type { RegistryOptions, RegistryLogger } from './options.js';
export type { RemoteSource } from './remote-source.js';
export { validateRemoteSources } from './remote-source.js';
export type { StoredPackage } from './storage.js';
export type { WarmResult } from './warm-cache.js';
export type { RegistryAuthDelegate } from './verdaccio/auth-plugin.js';
export { OPSLOOM_USER_GROUP } from './verdaccio/auth-plugin.js';
export type { PublishListener } from './verdaccio/publish-gate.js';
export { checkPublishBody, type PublishCheck } from './verdaccio/publish-check.js';
export { requestToken } from './client.js';
export { RegistryError, RegistryErrorCode, type RegistryErrorCodeValue } from './errors.js';
export { MAX_PACKUMENT_BYTES, MAX_TARBALL_BYTES, readBounded, readPackument } from './bounded-body.js';
export {
  signPackage, generateOrgKey, isOrgName, keyIdOf, parsePublicKey, publicKeyBase64, canonicalJson, contentDigest, manifestDigest,
  sriSha512, signedPayload, signatureVerifies, readSignature, signFiles, verifyPackage,
  type OrgKey, type PackageSignature, type SignPackageOptions, type TrustStore, type VerificationResult,
} from './signing.js';
export { installVerified, readInstalled, type InstalledPlugin, type InstallVerifiedOptions, type InstallLogger } from './install.js';
export { readPackageTarball, type PackageFiles, type TarballLimits } from './trust/tarball.js';
export { isPackageName, isVersion, packagePathSegment, tarballFileName } from './package-name.js';
export { tarballOnRegistry, tarballUrlOf } from './tarball-url.js';
