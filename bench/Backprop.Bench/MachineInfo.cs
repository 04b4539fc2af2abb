using System.Runtime.Intrinsics;

namespace Backprop.Bench;

/// <summary>One line naming the processor a run measured, for the results table: machines of one kind differ
/// (an AMD family 25 part runs 512-bit FMAs on 256-bit pipes, at half the peak of a family 26 one).</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        string model = "unknown processor", family = "?", number = "?";
        if (File.Exists("/proc/cpuinfo"))
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                string[] parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
                if (parts.Length < 2) continue;
                if (parts[0] == "model name") model = parts[1];
                else if (parts[0] == "cpu family") family = parts[1];
                else if (parts[0] == "model") number = parts[1];
                else if (parts[0] == "processor" && parts[1] != "0") break;
            }
        return $"machine: {model} (family {family}, model {number}), {Environment.ProcessorCount} cores, " +
            $"Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, load average {LoadAverage()}";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
