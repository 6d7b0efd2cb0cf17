/** `<ol-coming-soon>`: a navigation entry whose API does not exist yet; says so instead of showing fake data. */
import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-coming-soon')
export class ComingSoon extends LitElement {
  static override styles = sharedStyles;
  @property() heading = '';
  @property() comesWith = '';

  override render() {
    return html`<h1>${this.heading}</h1>
      <div class="empty" role="status"><p><strong>Coming with ${this.comesWith}.</strong></p>
      <p>This page appears once the server offers that API; nothing here is made up in the meantime.</p></div>`;
  }
}
