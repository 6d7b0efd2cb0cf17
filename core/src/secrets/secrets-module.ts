import type { ModuleFactory } from '../module.js';
import { SecretCipher } from './secret-cipher.js';
import { secretRoutes } from './secret-routes.js';
import { SecretService } from './secret-service.js';
import { SecretStore } from './secret-store.js';

/** HKDF purpose of the project secret store's key. */
export const PROJECT_SECRETS_PURPOSE = 'project-secrets';

/** The project secret store; registers its {@link SecretService} as `secrets`. */
export const secretsModule: ModuleFactory = async (ctx) => {
  const service = new SecretService(new SecretStore(ctx.db), SecretCipher.load(ctx.config, PROJECT_SECRETS_PURPOSE));
  ctx.registry.set('secrets', service);
  return { name: 'secrets', routes: secretRoutes(service) };
};

export { SecretCipher, SecretCipherError, secretKeyFile } from './secret-cipher.js';
export { SecretService, SECRET_NAME } from './secret-service.js';
export type { SecretInfo } from './secret-store.js';
