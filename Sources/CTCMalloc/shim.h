#ifndef CUSTODY_CTCMALLOC_SHIM_H
#define CUSTODY_CTCMALLOC_SHIM_H
// gperftools' tcmalloc (minimal: no heap profiler). Linked into the custody executable it
// replaces malloc for the whole process, the Swift runtime and librdkafka included.
#include <gperftools/tcmalloc.h>
#endif
