using System.Globalization;
using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed unsafe class LargeArraysTests
{
    [Fact]
    public void A_large_array_has_the_length_asked_for_and_keeps_what_is_written()
    {
        float[] values = LargeArrays.Floats(5_000_001);
        for (int i = 0; i < values.Length; i++) values[i] = i;

        Assert.Equal(5_000_001, values.Length);
        Assert.Equal(5_000_000f, values[^1]);
        Assert.Equal(2_500_000f, values[2_500_000]);
    }

    [Fact]
    public void A_large_array_asks_linux_for_huge_pages()
    {
        // Only where the kernel has transparent huge pages at all and says which mappings asked for them (a sandbox's
        // /proc may not); elsewhere the advice is refused or cannot be seen, and that is fine.
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/sys/kernel/mm/transparent_hugepage") || !File.Exists("/proc/self/smaps")) return;

        float[] values = LargeArrays.Floats(20_000_000);
        fixed (float* middle = &values[10_000_000])
        {
            // "hg" in a mapping's VmFlags: madvise(MADV_HUGEPAGE) was applied to it.
            if (VmFlagsAt((ulong)middle) is { } flags) Assert.Contains("hg", flags);
        }
        GC.KeepAlive(values);
    }

    [Fact]
    public void A_copy_holds_every_value_of_its_source()
    {
        float[] source = [.. Enumerable.Range(0, 3_000_001).Select(i => i * 0.5f)];

        float[] copy = LargeArrays.Copy(source);

        Assert.NotSame(source, copy);
        Assert.Equal(source, copy);
    }

    [Fact]
    public void A_small_array_is_left_alone()
    {
        Assert.Equal(1000, LargeArrays.Floats(1000).Length);
        Assert.Empty(LargeArrays.Floats(0));
    }

    // The flags of the mapping that holds the address; null where /proc/self/smaps does not list them.
    static string[]? VmFlagsAt(ulong address)
    {
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end))
                inside = start <= address && address < end;
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        return null;
    }
}
