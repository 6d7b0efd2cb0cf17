/**
 * `<ol-app>`: the shell. Checks the session, shows sign-in or the layout (header with the
 * project switcher, navigation, the page of the current hash route).
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api } from '../api/client.js';
import { portalApi, type Project, type User } from '../api/endpoints.js';
import { parseRoute, routeHash, type PageName, type Route } from '../model/route.js';
import { sharedStyles } from './shared-styles.js';
import './sign-in.js';
import './projects-page.js';
import './flows-page.js';
import './flow-editor.js';
import './tasks-page.js';
import './task-create.js';
import './task-monitor.js';
import './audit-page.js';
import './jobs-page.js';
import './job-result.js';
import './marketplace-page.js';
import './periodic-page.js';
import './plugin-page.js';
import './settings-page.js';

const NAV: { page: PageName; label: string }[] = [
  { page: 'flows', label: 'Flows' }, { page: 'tasks', label: 'Tasks' }, { page: 'marketplace', label: 'Marketplace' },
  { page: 'jobs', label: 'Jobs' }, { page: 'periodic', label: 'Periodic' }, { page: 'audit', label: 'Audit' },
  { page: 'settings', label: 'Settings' },
];

const LAST_PROJECT = 'opsloom.lastProject';

@customElement('ol-app')
export class App extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; min-height: 100vh; background: #f8fafc; }
    .skip { position: absolute; left: -999px; top: 4px; background: #fff; padding: 6px; z-index: 100; }
    .skip:focus { left: 8px; }
    header { display: flex; align-items: center; gap: 12px; padding: 8px 16px; background: #0f172a; color: #f8fafc; flex-wrap: wrap; }
    header .brand { font-weight: 700; font-size: 17px; color: #fff; text-decoration: none; }
    header label { color: #cbd5e1; margin: 0; font-weight: 400; }
    header select { min-width: 160px; color: #0f172a; }
    header button { background: transparent; color: #f8fafc; border-color: #475569; }
    header button:hover:not(:disabled) { background: #1e293b; }
    .layout { display: grid; grid-template-columns: 180px 1fr; min-height: calc(100vh - 50px); }
    nav { background: #fff; border-right: 1px solid #e2e8f0; padding: 12px 8px; }
    nav ul { list-style: none; margin: 0; padding: 0; }
    nav a { display: block; padding: 8px 12px; border-radius: 6px; color: #0f172a; text-decoration: none; }
    nav a:hover { background: #f1f5f9; }
    nav a[aria-current='page'] { background: #dbeafe; color: #1e3a8a; font-weight: 600; }
    main { padding: 16px; min-width: 0; }
    main.full { padding: 0; }
    @media (max-width: 760px) {
      .layout { grid-template-columns: 1fr; }
      nav { border-right: 0; border-bottom: 1px solid #e2e8f0; padding: 4px; overflow-x: auto; }
      nav ul { display: flex; gap: 2px; }
      nav a { white-space: nowrap; padding: 6px 10px; }
      header .who { display: none; }
    }
  `];

  @state() private user: User | null | undefined;
  @state() private projects: Project[] = [];
  @state() private route: Route = parseRoute(location.hash);
  @state() private loadError = '';
  @state() private sessionEnded = false;

  #onHash = (): void => {
    this.route = parseRoute(location.hash);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.#onHash);
    api.onUnauthorized = () => {
      // Refused while signed in: the session ended (expired, signed out elsewhere).
      if (this.user) this.sessionEnded = true;
      this.user = null;
    };
    void this.#boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.#onHash);
  }

  async #boot(): Promise<void> {
    try {
      this.user = await portalApi.me();
      await this.#loadProjects();
    } catch (err) {
      if (this.user === undefined) this.user = null;
      if ((err as { status?: number }).status !== 401) this.loadError = (err as Error).message;
    }
  }

  async #loadProjects(): Promise<void> {
    this.projects = (await portalApi.projects()).items;
    if (this.route.page === 'projects' || this.route.page === 'signin') {
      const last = localStorage.getItem(LAST_PROJECT);
      const pick = this.projects.find((p) => p.key === last) ?? this.projects[0];
      if (pick) location.hash = routeHash({ page: 'flows', project: pick.key });
    }
  }

  override render() {
    if (this.user === undefined) return html`<p role="status" style="padding:16px">Loading…</p>`;
    if (this.user === null) {
      return html`${this.loadError ? html`<p class="notice error">${this.loadError}</p>` : nothing}
        <ol-sign-in .notice=${this.sessionEnded ? 'Your session ended. Sign in again to go on where you were.' : ''} @signed-in=${this.#signedIn}></ol-sign-in>`;
    }
    const r = this.route;
    const project = r.project ? this.projects.find((p) => p.key === r.project || p.id === r.project) : undefined;
    if (project) localStorage.setItem(LAST_PROJECT, project.key);
    const current: PageName = r.page === 'flow-editor' ? 'flows' : r.page === 'task' || r.page === 'task-new' ? 'tasks'
      : r.page === 'plugin' ? 'marketplace' : r.page === 'job' ? 'jobs' : r.page;
    return html`<a class="skip" href="#main" @click=${this.#skip}>Skip to content</a>
      <header>
        <a class="brand" href="#/projects">Opsloom</a>
        <label for="project">Project</label>
        <select id="project" @change=${this.#switchProject} aria-label="Switch project">
          <option value="" ?selected=${!project}>Choose…</option>
          ${this.projects.map((p) => html`<option value=${p.key} ?selected=${p === project}>${p.name}</option>`)}
          <option value="__manage">Manage projects…</option>
        </select>
        <span class="spacer"></span>
        <span class="who">${this.user.displayName || this.user.username}</span>
        <button @click=${this.#signOut}>Sign out</button>
      </header>
      <div class="layout">
        <nav aria-label="Sections">
          <ul>${NAV.map((n) => html`<li><a href=${project ? routeHash({ page: n.page, project: project.key }) : '#/projects'}
            aria-current=${current === n.page ? 'page' : 'false'}>${n.label}</a></li>`)}</ul>
        </nav>
        <main id="main" tabindex="-1" class=${r.page === 'flow-editor' || r.page === 'task' ? 'full' : ''}>${this.#page(r, project)}</main>
      </div>`;
  }

  #page(r: Route, project: Project | undefined) {
    if (r.page === 'projects' || r.page === 'signin') {
      return html`<ol-projects-page .projects=${this.projects} @project-created=${this.#projectCreated}></ol-projects-page>`;
    }
    if (!project) {
      return html`<h1>Project not found</h1><p class="notice warn">Project “${r.project ?? ''}” does not exist or you are not a member.
        <a href="#/projects">Choose a project</a>.</p>`;
    }
    const key = project.key;
    const admin = this.user?.isAdmin ?? false;
    switch (r.page) {
      case 'flows': return html`<ol-flows-page .project=${key} .projectRole=${project.role ?? ''}></ol-flows-page>`;
      case 'flow-editor': return html`<ol-flow-editor .project=${key} .templateId=${r.id ?? 'new'}></ol-flow-editor>`;
      case 'tasks': return html`<ol-tasks-page .project=${key}></ol-tasks-page>`;
      case 'task-new': return html`<ol-task-create .project=${key} .templateId=${r.query.template ?? ''}></ol-task-create>`;
      case 'task': return html`<ol-task-monitor .project=${key} .taskId=${r.id ?? ''} .username=${this.user?.username ?? ''} .projectRole=${project.role ?? ''}
        .startFailed=${r.query.startFailed ?? ''}></ol-task-monitor>`;
      case 'audit': return html`<ol-audit-page .project=${key} .isAdmin=${this.user?.isAdmin ?? false}></ol-audit-page>`;
      case 'marketplace': return html`<ol-marketplace-page .project=${key} .tab=${r.query.tab ?? 'catalog'} .isAdmin=${admin}></ol-marketplace-page>`;
      case 'plugin': return html`<ol-plugin-page .project=${key} .name=${r.id ?? ''} .isAdmin=${admin}></ol-plugin-page>`;
      case 'jobs': return html`<ol-jobs-page .project=${key} .tab=${r.query.tab ?? 'run'} .isAdmin=${admin}></ol-jobs-page>`;
      case 'job': return html`<ol-job-result .project=${key} .jobId=${r.id ?? ''}></ol-job-result>`;
      case 'periodic': return html`<ol-periodic-page .project=${key} .timeZone=${project.timeZone ?? ''}></ol-periodic-page>`;
      case 'settings': return html`<ol-settings-page .project=${key} .projectName=${project.name} .projectRole=${project.role ?? ''}></ol-settings-page>`;
      default: return html`<h1>Page not found</h1><p><a href=${routeHash({ page: 'flows', project: key })}>Back to flows</a></p>`;
    }
  }

  #skip(e: Event): void {
    e.preventDefault();
    this.renderRoot.querySelector<HTMLElement>('#main')?.focus();
  }

  #switchProject(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (value === '__manage') location.hash = '#/projects';
    else if (value) {
      const section = NAV.find((n) => n.page === this.route.page) ? this.route.page : 'flows';
      location.hash = routeHash({ page: section, project: value });
    }
  }

  async #signedIn(e: CustomEvent<{ user: User }>): Promise<void> {
    this.user = e.detail.user;
    this.sessionEnded = false;
    this.loadError = '';
    try {
      await this.#loadProjects();
    } catch (err) {
      this.loadError = (err as Error).message;
    }
  }

  async #projectCreated(e: CustomEvent<{ project: Project }>): Promise<void> {
    await this.#loadProjects();
    location.hash = routeHash({ page: 'flows', project: e.detail.project.key });
  }

  async #signOut(): Promise<void> {
    try {
      await portalApi.logout();
    } catch { /* the session may already be gone */ }
    this.user = null;
    location.hash = '#/signin';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ol-app': App;
  }
}
