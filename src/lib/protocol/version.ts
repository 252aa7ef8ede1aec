/** Bumped when a wire contract changes incompatibly; clients send it in the Socket.IO handshake. */
export const PROTOCOL_VERSION = 1;
