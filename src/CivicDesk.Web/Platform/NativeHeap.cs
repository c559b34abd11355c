using System.Runtime.InteropServices;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Caps the number of glibc malloc arenas (as <c>MALLOC_ARENA_MAX=2</c> would). glibc gives threads their own arenas,
/// up to eight per core, and memory freed into one arena is not reused by a thread allocating from another. SQLite
/// allocates its page caches with malloc from whichever thread-pool thread runs a statement, so under an ingest surge
/// each arena grew its own copy of the writer's cache: with a 16 MB writer cache, peak working set 462 MB against
/// 414 MB with two arenas (bench/README.md, session 17). Call before the host starts threads; a no-op off glibc.
/// </summary>
public static class NativeHeap
{
    private const int ArenaMaxOption = -8; // M_ARENA_MAX in glibc's malloc.h
    private static int _limited;

    public static void LimitArenas(int arenas = 2)
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _limited, 1) != 0
            || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
        {
            // An operator's own MALLOC_ARENA_MAX wins.
            return;
        }

        try
        {
            _ = MallOpt(ArenaMaxOption, arenas);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl ignores the option anyway): nothing to cap.
        }
    }

    // DllImport rather than LibraryImport, which would need unsafe code enabled for the whole project; two ints
    // need no marshalling either way.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallOpt(int option, int value);
#pragma warning restore SYSLIB1054
}
