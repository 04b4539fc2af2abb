using System.Runtime.InteropServices;

namespace Backprop.Data;

/// <summary>Float arrays of a data set's size (hundreds of megabytes), which the caller fills completely.</summary>
internal static unsafe class LargeArrays
{
    const long HugePage = 2 << 20;
    const int AdviseHugePages = 14; // MADV_HUGEPAGE

    /// <summary>An array the caller must overwrite in full: its values are whatever the memory held.</summary>
    /// <remarks>NOTE: fresh memory is faulted in page by page on its first write, and on a virtual machine each 4 KiB
    /// fault can cost ~10 µs: filling Fashion-MNIST's 188 MB of pixels took 0.57 s of faults alone. Linux's default
    /// setting ("madvise") gives 2 MiB pages to ranges that ask, 512 times fewer faults (57 ms here). The advice is
    /// a hint about the array's own pages; where it is refused or ignored the array is simply as before.</remarks>
    public static float[] Floats(long length)
    {
        if (length > Array.MaxLength) throw new OutOfMemoryException($"{length:N0} values are more than an array holds");
        var array = GC.AllocateUninitializedArray<float>((int)length);
        if (OperatingSystem.IsLinux() && length * sizeof(float) >= 4 * HugePage)
        {
            fixed (float* values = array)
            {
                nint start = (nint)(((long)values + HugePage - 1) & ~(HugePage - 1));
                nint end = (nint)((long)(values + length) & ~(HugePage - 1));
                if (end > start) AdviseIfPossible(start, (nuint)(end - start), AdviseHugePages);
            }
        }
        return array;
    }

    /// <summary>A copy of <paramref name="source"/> in an array from <see cref="Floats"/>.</summary>
    public static float[] Copy(float[] source)
    {
        float[] copy = Floats(source.Length);
        source.CopyTo(copy, 0);
        return copy;
    }

    static bool adviceUnavailable;

    // NOTE: only a hint: where the C library cannot be loaded under that name (another libc), arrays go without it.
    static void AdviseIfPossible(nint address, nuint length, int advice)
    {
        if (adviceUnavailable) return;
        try { _ = Advise(address, length, advice); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { adviceUnavailable = true; }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Advise(nint address, nuint length, int advice);
}
