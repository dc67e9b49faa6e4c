export { teardown as default } from './message-parity.mjs';
