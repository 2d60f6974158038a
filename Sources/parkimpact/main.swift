import ArgumentParser
import ParkImpactCommands
#if canImport(CMalloc) && canImport(Glibc)
import CMalloc
import Glibc

// glibc gives every thread that allocates a heap of its own (an "arena") that keeps what was freed: with two
// workers the peak memory of the same run varied by 10-20 MiB from run to run. One arena keeps it low and
// predictable, at no measurable cost in time (`make bench`); MALLOC_ARENA_MAX in the environment still decides.
if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(M_ARENA_MAX, 1) }
#endif

ParkImpactCommand.main()
