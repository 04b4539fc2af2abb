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
/// Bits do not depend on the thread count: every register tile sits on the same grid (multiples of MR and
/// NR from the origin) and sums the same slices in the same order, whoever computes it.
/// </summary>
internal static unsafe class GemmRowTeam
{
    /// <summary>Worth it when there are enough rows to share out in blocks (and few enough slices for the
    /// counters, which live on the caller's stack: 256 slices is 4 KiB, a depth of 262,144 at n = 4096).</summary>
    public static bool Suits<T>(int m, int n, int k, in GemmPlan<T> plan, int threads) where T : unmanaged, INumber<T>
        => threads > 1 && m >= 2 * threads * plan.Mc && (long)GemmDriver.Ceiling(n, plan.Nc) * GemmDriver.Ceiling(k, plan.Kc) <= MaxSlices;

    private const int MaxSlices = 256;

    // Per slice: B micro-panels claimed and packed, rows claimed and done.
    private const int PanelsClaimed = 0, PanelsPacked = 1, RowsClaimed = 2, RowsDone = 3, CountersPerSlice = 4;

    private struct Job<T> where T : unmanaged, INumber<T>
    {
        public T* A, B, C;
        public int M, N, K;
        public bool TransposeA, TransposeB, Accumulate;
        public GemmPlan<T> Plan;
        public int Threads;
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
            int panels = GemmDriver.Ceiling(nc, job.Plan.Nr);
            for (int q; (q = Interlocked.Increment(ref counters[PanelsClaimed]) - 1) < panels;)
            {
                GemmPacking.PackB(job.B, job.TransposeB ? job.K : job.N, job.TransposeB, pc, kc, jc, nc, job.Plan.Nr,
                    q, q + 1, packedB);
                Interlocked.Increment(ref counters[PanelsPacked]);
            }
            WaitFor(ref counters[PanelsPacked], panels);
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
        T* packedA = GemmBuffers.PackedA<T>((nint)plan.Mc * Math.Min(plan.Kc, job.K));
        bool addToC = job.Accumulate || pc > 0;
        while (true)
        {
            (int ic, int mc) = ClaimRows(ref counters[RowsClaimed], job.M, plan.Mr, plan.Mc, job.Threads);
            if (mc == 0)
                return;
            GemmPacking.PackA(job.A, lda, job.TransposeA, ic, mc, pc, kc, plan.Mr, packedA);
            GemmDriver.MacroKernel(in plan, mc, nc, kc, packedA, packedB, job.C + ic * ldc + jc, ldc, addToC);
            Interlocked.Add(ref counters[RowsDone], mc);
        }
    }

    // Guided scheduling: a block is the rows left over twice the thread count, in whole register tiles,
    // between one tile and Mc. Returns (first row, rows), rows = 0 when none are left.
    private static (int Start, int Rows) ClaimRows(ref int claimed, int m, int mr, int mc, int threads)
    {
        while (true)
        {
            int start = Volatile.Read(ref claimed);
            if (start >= m)
                return (start, 0);
            int rows = Math.Clamp(GemmDriver.RoundUp((m - start) / (2 * threads), mr), mr, mc);
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
