/** Text made safe to place in HTML (element content or a quoted attribute). */
export const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
