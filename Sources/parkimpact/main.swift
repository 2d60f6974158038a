import ArgumentParser
import ParkImpactCommands
#if canImport(CMalloc) && canImport(Glibc)
import CMalloc
import Glibc

// glibc gives every thread that allocates a heap of its own (an "arena") that keeps what was freed, up to 8 per core:
// the peak memory of the same run then varies by 10-20 MiB from run to run. With one arena the reading threads of
// many small files wait for its lock (10,000 files: CPU with 2 threads 1.19x that of 1 thread, 1.09x with two
// arenas, the peak 140 -> 160-176 MiB). At most two: MALLOC_ARENA_MAX in the environment still decides.
if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(M_ARENA_MAX, 2) }
// Blocks up to 32 MiB come from the heap and are reused there, and the heap's free top is returned only past 64 MiB
// (and where the run returns it, `FreeMemory`): the end state of glibc's own adjustment of both, from the start.
// Before it, each rendered part of an output (about 1 MB) was a mapping of fresh pages, faulted in one by one and
// unmapped when written: 10,000 small files, 54,000 page faults against 39,000, the same peak.
// MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ in the environment still decides.
if getenv("MALLOC_MMAP_THRESHOLD_") == nil && getenv("MALLOC_TRIM_THRESHOLD_") == nil {
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
}
#endif

ParkImpactCommand.main()
