using System.Numerics;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>Which register tile the packed path uses; the best one the CPU accelerates is the default.</summary>
internal enum GemmKernelKind { Scalar, Vector128, Vector256, Vector512, Vector512Short }

/// <summary>Tile and cache-block sizes with the microkernel that goes with them.</summary>
internal readonly unsafe struct GemmPlan<T> where T : unmanaged, INumber<T>
{
    public readonly GemmKernelKind Kind;
    public readonly int Mr, Nr;     // register tile: Mr rows of op(A) times Nr columns of op(B)
    public readonly int Mc, Kc, Nc; // cache blocks: packed A is [Mc, Kc] (L2), a packed B slice [Kc, Nc] of [Kc, Nr] micro-panels
    public readonly delegate*<nint, T*, T*, T*, nint, bool, void> Kernel;

    /// <summary>This plan with other cache blocks (for tuning); Mc and Nc are rounded to whole tiles.</summary>
    public GemmPlan<T> WithBlocks(int mc, int kc, int nc)
        => new(Kind, Mr, Nr, Math.Max(1, (mc + Mr - 1) / Mr) * Mr, Math.Max(1, kc), Math.Max(1, (nc + Nr - 1) / Nr) * Nr, Kernel);

    private GemmPlan(GemmKernelKind kind, int mr, int nr, int mc, int kc, int nc,
        delegate*<nint, T*, T*, T*, nint, bool, void> kernel)
    {
        Kind = kind; Mr = mr; Nr = nr; Mc = mc; Kc = kc; Nc = nc; Kernel = kernel;
    }

    /// <summary>
    /// How many of <paramref name="rows"/> rows go on this plan's tile; the rest go on <see cref="ShortTile"/>.
    /// All of them, except on the tall AVX-512 tile where short tiles pad fewer rows: 1024 rows are 73 tall
    /// tiles and 2 rows padded to a 74th (1.2 % of the work wasted), or 72 tall tiles and two short ones (none).
    /// </summary>
    public int TallRows(int rows)
    {
        int tall = rows / Mr * Mr;
        if (Kind != GemmKernelKind.Vector512 || tall == rows)
            return rows;
        int shortMr = ShortTile.Mr;
        int best = rows, leastPadding = GemmDriver.RoundUp(rows, Mr) - rows;
        // The padding of the short tiles repeats with the number of tall tiles given up, with a period of at most shortMr.
        for (int head = tall; head >= 0 && head > tall - shortMr * Mr; head -= Mr)
        {
            int padding = GemmDriver.RoundUp(rows - head, shortMr) - (rows - head);
            if (padding < leastPadding)
                (best, leastPadding) = (head, padding);
        }
        return best;
    }

    /// <summary>The short AVX-512 tile with this plan's depth and width blocks, so both read the same packed B.</summary>
    public GemmPlan<T> ShortTile => For(GemmKernelKind.Vector512Short).WithBlocks(Mc, Kc, Nc);

    public static readonly GemmKernelKind BestKind =
        Vector512.IsHardwareAccelerated ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernelKind.Vector256
        : Vector128.IsHardwareAccelerated ? GemmKernelKind.Vector128
        : GemmKernelKind.Scalar;

    public static readonly GemmPlan<T> Best = For(BestKind);

    private static readonly GemmPlan<T> BestShort = BestKind == GemmKernelKind.Vector512 ? For(GemmKernelKind.Vector512Short) : Best;

    /// <summary>The best plan for a product with <paramref name="rows"/> rows: the short AVX-512 tile where it
    /// saves more than 2 % of padded rows (a batch of 32 fills four 8-row tiles; three 14-row tiles hold 42).</summary>
    // NOTE: on their own (bench gemm-probe) the two tiles run equally fast, but the short one reads more of B per
    // multiply-add: at n = 2048 it ran ~1 % slower, so it is kept for products with few rows.
    public static GemmPlan<T> ForRows(int rows)
        => (GemmDriver.RoundUp(rows, Best.Mr) - GemmDriver.RoundUp(rows, BestShort.Mr)) * 50 > rows ? BestShort : Best;

    // NOTE: tuned on AMD Zen 5 (48 KiB L1d, 1 MiB L2 per core) by timing n = 1024 and 2048 (bench gemm-probe):
    // Kc = 512 floats (256 doubles) beat the textbook "B micro-panel fits L1" 256 by a few percent, as the
    // C tile is loaded and stored half as often. The AVX-512 tile goes further: Kc = 1024 floats (512
    // doubles) with Mc = 84 ran 3-5 % faster than 512 × 140 at n = 1024 and 2048 (the C tile is touched once
    // per 1024 k steps; the 336 KiB block of A and a 128 KiB micro-panel of B both stay in L2).
    public static GemmPlan<T> For(GemmKernelKind kind)
    {
        int kc = 512 * 4 / sizeof(T);
        return kind switch
        {
            GemmKernelKind.Vector512 => new(kind, 14, 2 * Vector512<T>.Count, 6 * 14, 2 * kc, 4096,
                &GemmMicroKernel.Vector512Kernel<T>),
            GemmKernelKind.Vector512Short => new(kind, 8, 2 * Vector512<T>.Count, 10 * 8, 2 * kc, 4096,
                &GemmMicroKernel.Vector512Kernel8<T>),
            GemmKernelKind.Vector256 => new(kind, 6, 2 * Vector256<T>.Count, 24 * 6, kc / 2, 4096,
                &GemmMicroKernel.Vector256Kernel<T>),
            GemmKernelKind.Vector128 => new(kind, 6, 2 * Vector128<T>.Count, 24 * 6, kc / 2, 4096,
                &GemmMicroKernel.Vector128Kernel<T>),
            _ => new(GemmKernelKind.Scalar, 4, 4, 64, kc / 2, 4096, &GemmMicroKernel.ScalarKernel<T>),
        };
    }
}

/// <summary>
/// The GotoBLAS/BLIS loop nest around the microkernel: for each Nc-wide column block and Kc-deep slice,
/// pack B; then for each block of rows, pack A; then sweep the register tiles, B micro-panel outer so it
/// stays close (L1 at small Kc; L2 at the AVX-512 plan's Kc = 1024, where the microkernel runs as fast) while A
/// micro-panels stream from L2.
/// Products with many rows go to <see cref="GemmRowTeam"/>, which shares the packed B between the threads.
/// NOTE: for the others (few rows: the training shapes), C is cut into one rectangle per thread (whole
/// register tiles, over the whole depth) and each thread runs the loop nest on the rectangle it claims,
/// packing into its own buffers: no thread waits for another between depth slices, and there is one fork and
/// one join per call. Every C value sums the same Kc slices in the same register tile, so the bits do not
/// depend on the thread count. The price is packing the operand that is not cut once per rectangle, so C is
/// cut along the side that makes that the cheaper one. A worker that starts late finds its rectangle claimed
/// by the caller and leaves.
/// </summary>
internal static unsafe class GemmDriver
{
    // Below this many multiply-adds (about 10 µs on one core) a second thread costs more to wake than it
    // saves: at 2^18 the batch-32 MLP products of bench (c) (32×32×784) ran slower on two threads than on one.
    internal const long ParallelThreshold = 1L << 21;

    private struct Job<T> where T : unmanaged, INumber<T>
    {
        public T* A, B, C;
        public int M, N, K;
        public bool TransposeA, TransposeB, Accumulate;
        public GemmPlan<T> Plan;
        public bool CutColumns;  // rectangles are column ranges over all rows, or row ranges over all columns
        public int Rectangles;
        public int RectanglesClaimed;
    }

    public static void Multiply<T>(T* a, T* b, T* c, int m, int n, int k, bool transposeA, bool transposeB,
        bool accumulate, in GemmPlan<T> plan, int maxThreads) where T : unmanaged, INumber<T>
    {
        int threads = Math.Clamp(maxThreads, 1, GemmWorkers.MaxThreads);
        if (GemmRowTeam.Suits(m, n, k, in plan, threads))
        {
            GemmRowTeam.Multiply(a, b, c, m, n, k, transposeA, transposeB, accumulate, in plan, threads);
            return;
        }
        var job = new Job<T>
        {
            A = a, B = b, C = c, M = m, N = n, K = k,
            TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate, Plan = plan,
            CutColumns = CutColumns(m, n, transposeA, transposeB),
        };
        int tiles = job.CutColumns ? Ceiling(n, plan.Nr) : Ceiling(m, plan.Mr);
        // NOTE: one rectangle per thread: at n = 1024, two per thread (claimed dynamically, for balance when a
        // thread is descheduled) ran 10 % slower on a quiet machine, from the extra packing.
        job.Rectangles = Math.Min(tiles, threads);
        if (threads > 1 && job.Rectangles > 1 && GemmWorkers.TryRun(&Run<T>, &job, threads))
            return;
        job.Rectangles = 1;
        Run<T>(&job, 0, 1);
    }

    // Cutting C's columns repacks all of A for every rectangle; cutting its rows, all of B. Pick the cheaper:
    // an operand read along its rows packs by plain copies, one read across them by a slower transpose.
    private static bool CutColumns(int m, int n, bool transposeA, bool transposeB)
        => (long)m * (transposeA ? 1 : 2) <= (long)n * (transposeB ? 2 : 1);

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    internal static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;

    // Claims the next of the counter's values below `end`; -1 when they are all taken.
    internal static int Claim(ref int counter, int end)
    {
        while (true)
        {
            int next = Volatile.Read(ref counter);
            if (next >= end)
                return -1;
            if (Interlocked.CompareExchange(ref counter, next + 1, next) == next)
                return next;
        }
    }

    private static void Run<T>(void* state, int member, int threads) where T : unmanaged, INumber<T>
    {
        ref Job<T> job = ref *(Job<T>*)state;
        int tile = job.CutColumns ? job.Plan.Nr : job.Plan.Mr;
        int length = job.CutColumns ? job.N : job.M;
        int tiles = Ceiling(length, tile);
        for (int r; (r = Claim(ref job.RectanglesClaimed, job.Rectangles)) >= 0;)
        {
            int start = (int)((long)tiles * r / job.Rectangles) * tile;
            int end = Math.Min((int)((long)tiles * (r + 1) / job.Rectangles) * tile, length);
            if (job.CutColumns)
                Rectangle(ref job, 0, job.M, start, end);
            else
                Rectangle(ref job, start, end, 0, job.N);
        }
    }

    // C[rowStart .. rowEnd, columnStart .. columnEnd] over the whole depth, with this thread's buffers.
    private static void Rectangle<T>(ref Job<T> job, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where T : unmanaged, INumber<T>
    {
        GemmPlan<T> plan = job.Plan;
        int mr = plan.Mr, nr = plan.Nr;
        nint lda = job.TransposeA ? job.M : job.K;
        nint ldb = job.TransposeB ? job.K : job.N;
        nint ldc = job.N;

        // Row blocks hold whole register tiles, as evenly as possible.
        int rowTiles = Ceiling(rowEnd - rowStart, mr);
        int rowBlocks = Ceiling(rowTiles * mr, plan.Mc);
        int mcMax = Ceiling(rowTiles, rowBlocks) * mr;
        int kcMax = Math.Min(plan.Kc, job.K);
        T* packedA = GemmBuffers.PackedA<T>((nint)mcMax * kcMax);
        T* packedB = GemmBuffers.PackedB<T>((nint)kcMax * Math.Min(plan.Nc, RoundUp(columnEnd - columnStart, nr)));

        for (int jc = columnStart; jc < columnEnd; jc += plan.Nc)
        {
            int nc = Math.Min(plan.Nc, columnEnd - jc);
            for (int pc = 0; pc < job.K; pc += plan.Kc)
            {
                int kc = Math.Min(plan.Kc, job.K - pc);
                GemmPacking.PackB(job.B, ldb, job.TransposeB, pc, kc, jc, nc, nr, 0, Ceiling(nc, nr), packedB);
                bool addToC = job.Accumulate || pc > 0;
                for (int rowBlock = 0; rowBlock < rowBlocks; rowBlock++)
                {
                    int ic = rowStart + (int)((long)rowTiles * rowBlock / rowBlocks) * mr;
                    int mc = Math.Min(rowStart + (int)((long)rowTiles * (rowBlock + 1) / rowBlocks) * mr, rowEnd) - ic;
                    GemmPacking.PackA(job.A, lda, job.TransposeA, ic, mc, pc, kc, mr, packedA);
                    MacroKernel(in plan, mc, nc, kc, packedA, packedB, job.C + ic * ldc + jc, ldc, addToC);
                }
            }
        }
    }

    // C[mc, nc] (+)= packedA[mc, kc] · packedB[kc, nc], one register tile at a time.
    internal static void MacroKernel<T>(in GemmPlan<T> plan, int mc, int nc, int kc, T* packedA, T* packedB,
        T* c, nint ldc, bool addToC) where T : unmanaged, INumber<T>
    {
        int mr = plan.Mr, nr = plan.Nr;
        var kernel = plan.Kernel;
        T* edge = stackalloc T[mr * nr];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            T* panelB = packedB + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                T* panelA = packedA + (nint)ir * kc;
                T* tile = c + ir * ldc + jr;
                if (rows == mr && columns == nr)
                {
                    kernel(kc, panelA, panelB, tile, ldc, addToC);
                    continue;
                }
                // Edge tile: compute the padded tile aside, then keep only the part inside C.
                kernel(kc, panelA, panelB, edge, nr, false);
                for (int i = 0; i < rows; i++)
                {
                    T* source = edge + i * nr;
                    T* target = tile + i * ldc;
                    if (addToC)
                        for (int j = 0; j < columns; j++) target[j] += source[j];
                    else
                        for (int j = 0; j < columns; j++) target[j] = source[j];
                }
            }
        }
    }
}
