/** Typed sending and handling of the protocol in shared/messages.ts. */
import { browser } from 'wxt/browser';
import { isMessage, type Message, type MessageType, type ProtocolMap } from '../../shared/messages';

export function sendMessage<K extends MessageType>(type: K, data: ProtocolMap[K]['data']): Promise<ProtocolMap[K]['reply']> {
  return browser.runtime.sendMessage({ type, data } satisfies Message<K>);
}

export type Handlers = { [K in MessageType]?: (data: ProtocolMap[K]['data']) => Promise<ProtocolMap[K]['reply']> | ProtocolMap[K]['reply'] };

/** Handles the messages this context knows; ignores the rest (another context answers them). */
export function onMessages(handlers: Handlers) {
  browser.runtime.onMessage.addListener((message: unknown) => {
    if (!isMessage(message)) return undefined;
    const handler = handlers[message.type] as ((data: unknown) => unknown) | undefined;
    if (!handler) return undefined;
    return Promise.resolve(handler(message.data)).then(() => undefined);
  });
}
