/** `<ol-projects-page>`: the projects the user can see, and a form to create one. */
import { LitElement, html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi, type Project } from '../api/endpoints.js';
import { routeHash } from '../model/route.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-projects-page')
export class ProjectsPage extends LitElement {
  static override styles = [sharedStyles, css`form { max-width: 420px; } input { width: 100%; } li { margin: 6px 0; }`];
  @property({ attribute: false }) projects: Project[] = [];
  @state() private error = '';

  override render() {
    return html`<h1>Projects</h1>
      ${this.projects.length === 0 ? html`<p class="empty">You are not a member of any project yet. Create one below.</p>` : html`
        <ul>${this.projects.map((p) => html`<li><a href=${routeHash({ page: 'flows', project: p.key })}>${p.name}</a>
          <span class="hint">(${p.key}${p.role ? `, ${p.role}` : ''})</span></li>`)}</ul>`}
      <h2>New project</h2>
      <form @submit=${this.#create}>
        <label for="key">Key <span class="hint">(2–63 lower-case letters, digits or dashes, starting with a letter; used in URLs)</span></label>
        <input id="key" name="key" required pattern="[a-z][a-z0-9-]{1,62}">
        <label for="name">Name</label>
        <input id="name" name="name" required>
        ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : ''}
        <p><button class="primary" type="submit">Create project</button></p>
      </form>`;
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    try {
      const p = await portalApi.createProject({ key: String(data.get('key')), name: String(data.get('name')) });
      form.reset();
      this.error = '';
      this.dispatchEvent(new CustomEvent('project-created', { detail: { project: p }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}
