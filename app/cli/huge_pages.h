#pragma once

namespace interleave::cli {

// A run of a million tasks holds about 1.6 GB in small blocks. Freeing it at exit, page by 4 KiB page, took the
// kernel 110-190 ms after a Ctrl-C; in 2 MiB pages it takes a few. glibc puts its heap in transparent huge pages only
// when asked through GLIBC_TUNABLES, which it reads before main, so this re-executes the CLI once with them set:
// huge pages for the heap (hugetlb=1), one arena (so that every block is in the one heap asked for), and the heap
// grown 32 MiB at a time (so that each 2 MiB stretch is whole when it is first touched). It returns, doing nothing,
// when the tunables are already there, when the kernel has huge pages off, or when the re-execution fails.
void reexecWithHugePages(char** argv);

} // namespace interleave::cli
