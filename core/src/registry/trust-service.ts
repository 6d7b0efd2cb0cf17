import type { CatalogStore } from './catalog-store.js';
import type { TrustedKey, TrustStore } from './trust-store.js';

/**
 * The trust store as operators change it: every change re-judges the catalog's signature marks,
 * so the marketplace shows at once which plugins would install as verified.
 */
export class TrustService {
  constructor(private readonly trust: TrustStore, private readonly catalog: CatalogStore, private readonly ownKeyId: () => string | undefined) {}

  list(org?: string): Promise<TrustedKey[]> {
    return this.trust.list(org);
  }

  async add(input: { org: string; publicKey: string; pinned: boolean; note?: string | null }, by: string): Promise<TrustedKey> {
    const key = await this.trust.add(input, by);
    await this.refresh();
    return key;
  }

  async setPinned(org: string, keyId: string, pinned: boolean): Promise<TrustedKey> {
    const key = await this.trust.setPinned(org, keyId, pinned);
    await this.refresh();
    return key;
  }

  async remove(org: string, keyId: string): Promise<void> {
    await this.trust.remove(org, keyId, this.ownKeyId());
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    await this.catalog.refreshSignatureStates(await this.trust.knownKeys());
  }
}
