import { css } from 'lit';

export const shareDialogStyles = css`
  :host {
    display: contents;
    font: inherit;
  }
  dialog {
    width: min(34rem, calc(100vw - 2rem));
    max-height: calc(100vh - 2rem);
    padding: 1.25rem 1.5rem;
    border: none;
    border-radius: 0.75rem;
    box-shadow: 0 0.5rem 2rem rgb(0 0 0 / 30%);
    color: CanvasText;
    background: Canvas;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 45%);
  }
  h2 {
    margin: 0 0 1rem;
    font-size: 1.25rem;
  }
  h3 {
    margin: 1.25rem 0 0.5rem;
    font-size: 1rem;
  }
  label {
    display: block;
    font-weight: 600;
  }
  .picker {
    position: relative;
  }
  .picker input {
    box-sizing: border-box;
    width: 100%;
    margin-top: 0.25rem;
    padding: 0.5rem;
    font: inherit;
  }
  [role='listbox'] {
    position: absolute;
    z-index: 1;
    left: 0;
    right: 0;
    margin: 0;
    padding: 0.25rem 0;
    list-style: none;
    border: 1px solid GrayText;
    background: Canvas;
  }
  [role='listbox'][hidden] {
    display: none;
  }
  [role='option'] {
    display: flex;
    gap: 0.5rem;
    padding: 0.375rem 0.75rem;
    cursor: pointer;
  }
  [role='option'][aria-selected='true'] {
    outline: 2px solid Highlight;
    outline-offset: -2px;
    background: color-mix(in srgb, Highlight 15%, Canvas);
  }
  .grants {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .grant {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    padding: 0.375rem 0;
  }
  .name {
    font-weight: 600;
  }
  .detail,
  .hint {
    color: color-mix(in srgb, CanvasText 70%, Canvas);
    font-size: 0.875rem;
  }
  .grant .detail {
    flex: 1;
  }
  .hint {
    margin: 0.125rem 0 0.5rem;
  }
  fieldset {
    margin: 1.25rem 0 0;
    padding: 0.5rem 0.75rem;
  }
  fieldset label {
    font-weight: 400;
  }
  .live {
    min-height: 1.25rem;
    margin: 0.75rem 0 0;
  }
  .error {
    color: #b00020;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: 0.5rem;
    margin-top: 1rem;
  }
  button,
  select,
  input[type='date'] {
    font: inherit;
    padding: 0.375rem 0.75rem;
  }
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: default;
  }
  :focus-visible {
    outline: 2px solid Highlight;
    outline-offset: 2px;
  }
`;
