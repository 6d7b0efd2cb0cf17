import { isPackageName } from '@opsloom/plugin-registry';
import { NotFoundError, UnavailableError, ValidationError } from '../errors.js';
import type { CatalogIndexer } from './catalog-indexer.js';
import type { CatalogRow, CatalogStore } from './catalog-store.js';
import type { RegistryLink } from './registry-link.js';
import { registryCall } from './registry-problem.js';
import type { RemoteSourceInput, RemoteSourceView, RemoteSources } from './remote-sources.js';

/**
 * A project's remote sources, applied to the registry: adding or removing one reconfigures the
 * registry's uplinks; importing a package pulls it through the registry (so it is cached for when
 * the remote is down) and puts it in the catalog, marked with its organisation and source.
 */
export class RemoteImportService {
  constructor(
    private readonly sources: RemoteSources,
    private readonly catalog: CatalogStore,
    private readonly link: () => Promise<RegistryLink | undefined>,
    private readonly indexer: () => CatalogIndexer | undefined,
  ) {}

  list(projectId: string): Promise<RemoteSourceView[]> {
    return this.sources.list(projectId);
  }

  async add(projectId: string, input: RemoteSourceInput, by: string): Promise<RemoteSourceView> {
    const { source, uplinks } = await this.sources.add(projectId, input, by);
    const link = await this.link();
    if (link) await registryCall(() => link.applyUplinks(uplinks));
    return source;
  }

  async remove(projectId: string, name: string): Promise<void> {
    const uplinks = await this.sources.remove(projectId, name);
    const link = await this.link();
    if (link) await registryCall(() => link.applyUplinks(uplinks));
  }

  /**
   * Imports a package (all versions, or the given ones) from one of the project's sources.
   * @returns the package's catalog rows
   */
  async import(projectId: string, sourceName: string, packageName: string, versions?: string[]): Promise<CatalogRow[]> {
    const source = await this.sources.get(projectId, sourceName);
    const scope = /^(@[^/]+)\//.exec(packageName)?.[1];
    if (!isPackageName(packageName) || !scope || !source.scopes.includes(scope)) {
      throw new ValidationError(`${packageName} is not in a scope remote source ${sourceName} serves (${source.scopes.join(', ')})`);
    }
    const link = await this.link();
    if (!link) throw new UnavailableError('the plugin registry is off on this server; remote plugins cannot be imported');
    await registryCall(() => link.warm(packageName, versions));
    const indexer = this.indexer();
    if (indexer) await indexer.indexPackage(packageName);
    const rows = await this.catalog.versions(packageName);
    if (indexer && rows.length === 0) throw new NotFoundError('plugin package', packageName);
    return rows;
  }
}
