/**
 * Menu buttons for the control bar (quality, speed, caption language), following the WAI-ARIA
 * menu button pattern with radio items: the button has `aria-haspopup="menu"` and
 * `aria-expanded`; the menu (`role="menu"`) holds `menuitemradio`s with `aria-checked`. Enter,
 * Space or ↓ on the button opens the menu on the checked item (↑ on the last); ↑/↓ move (wrapping),
 * Home/End jump, Enter/Space choose and close, Escape closes; focus returns to the button. Focus
 * leaving the menu (Tab, a click elsewhere) closes it. One menu is open at a time.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';

export interface MenuItem {
  value: string;
  label: string;
}

export interface MenuSpec {
  /** Unique in the player; used for element ids. */
  id: string;
  /** Names the button (with the current choice) and the menu. */
  label: string;
  /** The current choice, in the button's name and tooltip. */
  current: string;
  /** The button's icon. */
  icon: TemplateResult;
  /** Called only while the menu is open: a closed menu's labels cost nothing (number formatting in the speed menu). */
  items(): readonly MenuItem[];
  selected: string;
  onSelect(value: string): void;
}

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

export class MenuController implements ReactiveController {
  readonly #host: Host;
  #open: string | null = null;

  constructor(host: Host) {
    this.#host = host;
    host.addController(this);
  }

  /** The id of the open menu, if any. */
  get open(): string | null {
    return this.#open;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#open = null;
  }

  render(spec: MenuSpec) {
    const open = this.#open === spec.id;
    return html`
      <div class="menu-wrap" @focusout=${(event: FocusEvent) => this.#focusOut(event, spec.id)}>
        <button
          type="button"
          class="menu-button"
          id="${spec.id}-button"
          aria-haspopup="menu"
          aria-expanded=${open ? 'true' : 'false'}
          aria-controls="${spec.id}-menu"
          aria-label="${spec.label}: ${spec.current}"
          @click=${() => (open ? this.close(spec.id, true) : this.#show(spec, 'selected'))}
          @keydown=${(event: KeyboardEvent) => this.#buttonKey(event, spec)}
        >${spec.icon}<span class="tip">${spec.label}: ${spec.current}</span></button>
        <div
          role="menu"
          class="menu"
          id="${spec.id}-menu"
          aria-label=${spec.label}
          ?hidden=${!open}
          @keydown=${(event: KeyboardEvent) => this.#menuKey(event, spec)}
        >
          ${open
            ? spec.items().map(
                (item) => html`<div
                  role="menuitemradio"
                  tabindex="-1"
                  aria-checked=${item.value === spec.selected ? 'true' : 'false'}
                  data-value=${item.value}
                  @click=${() => this.#choose(spec, item.value)}
                >${item.label}</div>`,
              )
            : nothing}
        </div>
      </div>
    `;
  }

  /** Closes a menu (the open one when `id` is omitted), optionally focusing its button. */
  close(id = this.#open, returnFocus = false): void {
    if (id === null || this.#open !== id) return;
    this.#open = null;
    this.#host.requestUpdate();
    if (returnFocus) void this.#host.updateComplete.then(() => this.#query<HTMLElement>(`#${id}-button`)?.focus());
  }

  async #show(spec: MenuSpec, focus: 'selected' | 'last'): Promise<void> {
    this.#open = spec.id;
    this.#host.requestUpdate();
    await this.#host.updateComplete;
    const items = this.#items(spec.id);
    const target = focus === 'last' ? items.at(-1) : (items.find((item) => item.getAttribute('aria-checked') === 'true') ?? items[0]);
    target?.focus();
  }

  #choose(spec: MenuSpec, value: string): void {
    this.close(spec.id, true);
    spec.onSelect(value);
  }

  #buttonKey(event: KeyboardEvent, spec: MenuSpec): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    void this.#show(spec, event.key === 'ArrowUp' ? 'last' : 'selected');
  }

  #menuKey(event: KeyboardEvent, spec: MenuSpec): void {
    const items = this.#items(spec.id);
    const index = items.indexOf(event.composedPath()[0] as HTMLElement);
    const move = (to: number) => items[(to + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        move(index + 1);
        break;
      case 'ArrowUp':
        move(index - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(items.length - 1);
        break;
      case 'Enter':
      case ' ': {
        const value = items[index]?.dataset['value'];
        if (value !== undefined) this.#choose(spec, value);
        break;
      }
      case 'Escape':
        this.close(spec.id, true);
        break;
      default:
        return; // Tab and the player's shortcuts go on
    }
    event.preventDefault();
  }

  #focusOut(event: FocusEvent, id: string): void {
    const wrap = event.currentTarget as HTMLElement;
    const next = event.relatedTarget as Node | null;
    if (this.#open === id && !(next && wrap.contains(next))) this.close(id);
  }

  #items(id: string): HTMLElement[] {
    return Array.from(this.#host.renderRoot.querySelectorAll<HTMLElement>(`#${id}-menu [role="menuitemradio"]`));
  }

  #query<T extends Element>(selector: string): T | null {
    return this.#host.renderRoot.querySelector<T>(selector);
  }
}
