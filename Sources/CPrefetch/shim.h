#ifndef CUSTODY_CPREFETCH_SHIM_H
#define CUSTODY_CPREFETCH_SHIM_H
// A hint to the processor to load a cache line ahead of its use (no effect on results).
static inline void custody_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
// The same for a line about to be written (a reference count, say).
static inline void custody_prefetch_write(const void *address) { __builtin_prefetch(address, 1, 3); }
#endif
