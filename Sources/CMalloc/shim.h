// glibc's malloc tuning (`mallopt`), for the executable's start-up only. Part of the C library: nothing to link.
#if defined(__GLIBC__) || __has_include(<malloc.h>)
#include <malloc.h>
#endif
