namespace Backprop.Tests;

/// <summary>Whether warm code allocates: the test for "nothing is allocated per step".</summary>
internal static class SteadyState
{
    /// <summary>
    /// Bytes this thread allocated in each round of <paramref name="work"/>, stopping at the first round that
    /// allocated none (at most <paramref name="rounds"/>). Assert that the last entry is 0.
    /// </summary>
    /// <remarks>NOTE: the runtime itself may allocate once on a thread while it swaps in optimised code (seen in
    /// about one full, parallel run of the suite in fifty, after any number of warm-up calls). Code that allocates
    /// per step allocates in every round, so one clean round of three decides.</remarks>
    public static List<long> AllocatedBytesPerRound(Action work, int rounds = 3)
    {
        var allocated = new List<long>();
        while (allocated.Count < rounds && (allocated.Count == 0 || allocated[^1] != 0))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            work();
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return allocated;
    }
}
