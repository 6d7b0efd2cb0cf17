/** `<ol-settings-page>`: a project's settings; today its constants. */
import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.js';
import './project-constants.js';

@customElement('ol-settings-page')
export class SettingsPage extends LitElement {
  static override styles = sharedStyles;
  @property() project = '';
  @property() projectName = '';
  /** The caller's role in the project: admins change settings, everyone else reads them. */
  @property() projectRole = '';

  override render() {
    return html`<h1>Settings of ${this.projectName || this.project}</h1>
      <ol-project-constants .project=${this.project} .canManage=${this.projectRole === 'admin'}></ol-project-constants>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ol-settings-page': SettingsPage;
  }
}
