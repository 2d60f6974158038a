#if canImport(CMalloc) && canImport(Glibc)
import CMalloc
#endif

/// Hands the pages that `free` released inside the heap back to the system.
///
/// glibc keeps freed memory in the heap for later allocations, resident, unless it lies at the heap's top: after a
/// stage frees many small blocks (a park's series-days, some 7 KB per series), they stay in the process's resident
/// set, and the next stage's larger blocks (rendered parts of hundreds of KB) may not fit between the blocks still
/// in use and grow the heap instead. `malloc_trim(0)` returns every whole free page (`MADV_DONTNEED`), so the peak is
/// what is in use, not what once was. A no-op where the C library has no `malloc_trim`.
package enum FreeMemory {
    package static func returnToSystem() {
        #if canImport(CMalloc) && canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
