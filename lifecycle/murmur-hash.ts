// nxt_murmur_hash.c (MurmurHash2, seed 0) and the keys Unit hashes with it for its level
// hashes (nxt_runtime.c, nxt_port_hash.c, nxt_port_rpc.c), on x86_64 (little-endian words).

const MURMUR_M = 0x5bd1e995;

function murmurMixWord(k: number): number {
  k = Math.imul(k, MURMUR_M);
  k ^= k >>> 24;
  return Math.imul(k, MURMUR_M);
}

function murmurFinish(h: number): number {
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR_M);
  h ^= h >>> 15;
  return h >>> 0;
}

/** nxt_murmur_hash2: MurmurHash2 with seed 0, words read little-endian; unsigned 32-bit. */
export function murmurHash2(bytes: Uint8Array): number {
  let len = bytes.length;
  let h = len | 0;
  let p = 0;
  for (; len >= 4; p += 4, len -= 4) {
    const k = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
    h = Math.imul(h, MURMUR_M) ^ murmurMixWord(k);
  }
  if (len >= 3) {
    h ^= bytes[p + 2]! << 16;
  }
  if (len >= 2) {
    h ^= bytes[p + 1]! << 8;
  }
  if (len >= 1) {
    h ^= bytes[p]!;
    h = Math.imul(h, MURMUR_M);
  }
  return murmurFinish(h);
}

/** nxt_murmur_hash2 of one 4-byte int (int32 or uint32: the same little-endian bytes). */
export function murmurHash2Int32(word: number): number {
  return murmurFinish(Math.imul(4, MURMUR_M) ^ murmurMixWord(word | 0));
}

/** nxt_runtime_process_lhq_pid: murmur of the 4-byte nxt_pid_t (rt->processes). */
export function processKeyHash(pid: number): number {
  return murmurHash2Int32(pid);
}

/** nxt_port_hash_lhq: murmur of the 8-byte { int32 pid; uint32 port_id } (rt->ports). */
export function portKeyHash(pid: number, portId: number): number {
  let h = Math.imul(8, MURMUR_M) ^ murmurMixWord(pid | 0);
  h = Math.imul(h, MURMUR_M) ^ murmurMixWord(portId | 0);
  return murmurFinish(h);
}

/** nxt_port_rpc_lhq_stream: murmur of the 4-byte uint32 stream (port->rpc_streams). */
export function rpcStreamKeyHash(stream: number): number {
  return murmurHash2Int32(stream);
}

/** nxt_port_rpc_lhq_peer: murmur of the 4-byte nxt_pid_t peer (port->rpc_peers). */
export function rpcPeerKeyHash(peer: number): number {
  return murmurHash2Int32(peer);
}
