export { setup as default } from './message-parity.mjs';
