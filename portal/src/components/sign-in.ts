/** `<ol-sign-in>`: the sign-in form. The server sets an httpOnly session cookie; the page keeps no token. */
import { LitElement, html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { portalApi } from '../api/endpoints.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-sign-in')
export class SignIn extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: grid; place-items: center; min-height: 100vh; background: #f1f5f9; padding: 16px; }
    form { background: #fff; padding: 28px; border-radius: 12px; width: min(380px, 100%); box-shadow: 0 4px 24px rgb(15 23 42 / 10%); }
    input { width: 100%; }
    button { width: 100%; justify-content: center; margin-top: 16px; }
    .brand { font-size: 24px; font-weight: 700; margin-bottom: 4px; }
  `];

  /** Said above the form, e.g. that the session ended. */
  @property() notice = '';
  @state() private error = '';
  @state() private busy = false;

  override render() {
    return html`<form @submit=${this.#submit} aria-labelledby="title">
      <div class="brand" id="title">Opsloom</div>
      ${this.notice ? html`<p class="notice warn" role="status">${this.notice}</p>` : html`<p class="hint">Sign in to compose and run flows.</p>`}
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" required autofocus>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : ''}
      <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
    </form>`;
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      const { user } = await portalApi.login(String(data.get('username')), String(data.get('password')));
      this.dispatchEvent(new CustomEvent('signed-in', { detail: { user }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }
}
