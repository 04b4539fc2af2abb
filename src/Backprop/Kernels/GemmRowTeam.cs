using System.Numerics;

namespace Backprop.Kernels;

/// <summary>
/// The multi-threaded loop nest for products with many rows: the threads pack each Kc-deep slice of B
/// together into one shared buffer, then claim blocks of rows from a counter, each packing its own rows of
/// A. Nothing is packed twice, and a thread on a slower core (or one the OS takes away for a while) simply
/// claims fewer rows.
/// NOTE: why not one fixed rectangle per thread (<see cref="GemmDriver"/>)? On this shared machine one core
/// often ran the microkernel 5–15 % slower than the other, and the product waited for the slow half; each
/// thread also packed all of B. Row blocks shrink towards the end of a slice (guided scheduling), so the
/// threads finish a slice within one register tile of each other.
/// On the tall AVX-512 tile, the last rows go on short tiles where that pads fewer rows (<see cref="GemmPlan{T}.TallRows"/>).
/// Bits do not depend on the thread count or the tile: each C value is one chain of multiply-adds over a
/// slice's depth, in order, added to C once per slice, whichever tile computes it.
/// </summary>
internal static unsafe class GemmRowTeam
{
    /// <summary>Worth it when there are enough rows to share out in blocks (and few enough slices for the
    /// counters, which live on the caller's stack: 256 slices is 4 KiB, a depth of 262,144 at n = 4096).</summary>
    public static bool Suits<T>(int m, int n, int k, in GemmPlan<T> plan, int threads) where T : unmanaged, INumber<T>
        => threads > 1 && m >= 2 * threads * plan.Mc && (long)GemmDriver.Ceiling(n, plan.Nc) * GemmDriver.Ceiling(k, plan.Kc) <= MaxSlices;

    private const int MaxSlices = 256;

    // Per slice: parts of the packing of B claimed and packed, rows claimed and done.
    private const int PartsClaimed = 0, PartsPacked = 1, RowsClaimed = 2, RowsDone = 3, CountersPerSlice = 4;

    private struct Job<T> where T : unmanaged, INumber<T>
    {
        public T* A, B, C;
        public int M, N, K;
        public bool TransposeA, TransposeB, Accumulate;
        public GemmPlan<T> Plan;
        public int Threads;
        public int TallRows;             // rows [0, TallRows) on the plan's tile, the rest on its short tile
        public int DepthSlices, Slices;  // slice s covers column block s / DepthSlices and depth slice s % DepthSlices
        public T* PackedB;               // two slices' buffers: slice s packs into buffer s % 2
        public nint PackedBStride;
        public int* Counters;
    }

    public static void Multiply<T>(T* a, T* b, T* c, int m, int n, int k, bool transposeA, bool transposeB,
        bool accumulate, in GemmPlan<T> plan, int threads) where T : unmanaged, INumber<T>
    {
        int depthSlices = GemmDriver.Ceiling(k, plan.Kc);
        int slices = GemmDriver.Ceiling(n, plan.Nc) * depthSlices;
        nint stride = (nint)Math.Min(plan.Kc, k) * GemmDriver.RoundUp(Math.Min(plan.Nc, n), plan.Nr);
        int* counters = stackalloc int[slices * CountersPerSlice];
        new Span<int>(counters, slices * CountersPerSlice).Clear();
        var job = new Job<T>
        {
            A = a, B = b, C = c, M = m, N = n, K = k,
            TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate, Plan = plan, Threads = threads,
            TallRows = plan.TallRows(m),
            DepthSlices = depthSlices, Slices = slices,
            PackedB = GemmBuffers.PackedB<T>(2 * stride), PackedBStride = stride, Counters = counters,
        };
        if (!GemmWorkers.TryRun(&Run<T>, &job, threads))
            Run<T>(&job, 0, 1);
    }

    // Every member runs every slice in order; a member that joins late finds the work claimed and leaves.
    private static void Run<T>(void* state, int member, int threads) where T : unmanaged, INumber<T>
    {
        ref Job<T> job = ref *(Job<T>*)state;
        for (int s = 0; s < job.Slices; s++)
        {
            int* counters = job.Counters + s * CountersPerSlice;
            int jc = s / job.DepthSlices * job.Plan.Nc, pc = s % job.DepthSlices * job.Plan.Kc;
            int nc = Math.Min(job.Plan.Nc, job.N - jc), kc = Math.Min(job.Plan.Kc, job.K - pc);
            T* packedB = job.PackedB + (s & 1) * job.PackedBStride;
            // NOTE: buffer s % 2 last held slice s - 2, finished before this member began slice s - 1 (below).
            int parts = GemmPacking.PackBParts(job.TransposeB, kc, nc, job.Plan.Nr);
            for (int q; (q = Interlocked.Increment(ref counters[PartsClaimed]) - 1) < parts;)
            {
                GemmPacking.PackBPart(job.B, job.TransposeB ? job.K : job.N, job.TransposeB, pc, kc, jc, nc, job.Plan.Nr,
                    q, packedB);
                Interlocked.Increment(ref counters[PartsPacked]);
            }
            WaitFor(ref counters[PartsPacked], parts);
            // C accumulates over depth slices: slice s - 1 must have finished every row first.
            if (s > 0)
                WaitFor(ref job.Counters[(s - 1) * CountersPerSlice + RowsDone], job.M);
            ComputeRows(ref job, counters, jc, nc, pc, kc, packedB);
        }
    }

    private static void ComputeRows<T>(ref Job<T> job, int* counters, int jc, int nc, int pc, int kc, T* packedB)
        where T : unmanaged, INumber<T>
    {
        GemmPlan<T> plan = job.Plan;
        nint lda = job.TransposeA ? job.M : job.K;
        nint ldc = job.N;
        int shortRows = job.M - job.TallRows;
        T* packedA = GemmBuffers.PackedA<T>((nint)Math.Max(plan.Mc, shortRows) * Math.Min(plan.Kc, job.K));
        bool addToC = job.Accumulate || pc > 0;
        while (true)
        {
            (int claimed, int mc) = ClaimRows(ref counters[RowsClaimed], job.M, shortRows, plan.Mr, plan.Mc, job.Threads);
            if (mc == 0)
                return;
            // Claims run through the short-tile rows first, then the tall ones from row 0.
            bool onShortTiles = claimed < shortRows;
            GemmPlan<T> tile = onShortTiles ? plan.ShortTile : plan;
            int ic = onShortTiles ? job.TallRows : claimed - shortRows;
            GemmPacking.PackA(job.A, lda, job.TransposeA, ic, mc, pc, kc, tile.Mr, packedA);
            GemmDriver.MacroKernel(in tile, mc, nc, kc, packedA, packedB, job.C + ic * ldc + jc, ldc, addToC);
            Interlocked.Add(ref counters[RowsDone], mc);
        }
    }

    // Guided scheduling over the claim order: first the `shortRows` rows for the short tile, in one block (at
    // most a few tiles; first, so that the blocks at the end stay small), then blocks of the rows left over
    // twice the thread count, in whole register tiles, between one tile and Mc.
    // Returns (position in the claim order, rows), rows = 0 when none are left.
    private static (int Claimed, int Rows) ClaimRows(ref int claimed, int m, int shortRows, int mr, int mc, int threads)
    {
        while (true)
        {
            int start = Volatile.Read(ref claimed);
            if (start >= m)
                return (start, 0);
            int rows = start < shortRows ? shortRows - start
                : Math.Clamp(GemmDriver.RoundUp((m - start) / (2 * threads), mr), mr, mc);
            int end = Math.Min(start + rows, m);
            if (Interlocked.CompareExchange(ref claimed, end, start) == start)
                return (start, end - start);
        }
    }

    private static void WaitFor(ref int counter, int target)
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref counter) < target)
            spinner.SpinOnce(sleep1Threshold: -1);
    }
}
