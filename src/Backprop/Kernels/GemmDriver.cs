using System.Numerics;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>Which register tile the packed path uses; the best one the CPU accelerates is the default.</summary>
internal enum GemmKernelKind { Scalar, Vector128, Vector256, Vector512 }

/// <summary>Tile and cache-block sizes with the microkernel that goes with them.</summary>
internal readonly unsafe struct GemmPlan<T> where T : unmanaged, INumber<T>
{
    public readonly int Mr, Nr;     // register tile: Mr rows of op(A) times Nr columns of op(B)
    public readonly int Mc, Kc, Nc; // cache blocks: packed A is [Mc, Kc] (L2), a packed B micro-panel [Kc, Nr] (L1)
    public readonly delegate*<nint, T*, T*, T*, nint, bool, void> Kernel;

    /// <summary>This plan with other cache blocks (for tuning); Mc and Nc are rounded to whole tiles.</summary>
    public GemmPlan<T> WithBlocks(int mc, int kc, int nc)
        => new(Mr, Nr, Math.Max(1, (mc + Mr - 1) / Mr) * Mr, Math.Max(1, kc), Math.Max(1, (nc + Nr - 1) / Nr) * Nr, Kernel);

    private GemmPlan(int mr, int nr, int mc, int kc, int nc, delegate*<nint, T*, T*, T*, nint, bool, void> kernel)
    {
        Mr = mr; Nr = nr; Mc = mc; Kc = kc; Nc = nc; Kernel = kernel;
    }

    public static readonly GemmKernelKind BestKind =
        Vector512.IsHardwareAccelerated ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernelKind.Vector256
        : Vector128.IsHardwareAccelerated ? GemmKernelKind.Vector128
        : GemmKernelKind.Scalar;

    public static readonly GemmPlan<T> Best = For(BestKind);

    // NOTE: sized for AMD Zen 5 (48 KiB L1d, 1 MiB L2 per core): a Kc×Nr micro-panel of B plus an Mr×Kc
    // micro-panel of A stay in L1 while the ir loop runs, and the Mc×Kc block of A stays in L2.
    public static GemmPlan<T> For(GemmKernelKind kind)
    {
        int bytes = sizeof(T);
        int kc = 256 * 4 / bytes;
        return kind switch
        {
            GemmKernelKind.Vector512 => new(12, 2 * Vector512<T>.Count, 16 * 12, 256, 4096,
                &GemmMicroKernel.Vector512Kernel<T>),
            GemmKernelKind.Vector256 => new(6, 2 * Vector256<T>.Count, 32 * 6, 256, 4096,
                &GemmMicroKernel.Vector256Kernel<T>),
            GemmKernelKind.Vector128 => new(6, 2 * Vector128<T>.Count, 32 * 6, 256, 4096,
                &GemmMicroKernel.Vector128Kernel<T>),
            _ => new(4, 4, 64, kc, 4096, &GemmMicroKernel.ScalarKernel<T>),
        };
    }
}

/// <summary>
/// The GotoBLAS/BLIS loop nest around the microkernel: for each Nc-wide column block and Kc-deep slice,
/// pack B once (shared by all threads); for each Mc-tall block of rows, pack A; then sweep the register
/// tiles, B micro-panel outer so it stays in L1 while A micro-panels stream from L2.
/// </summary>
internal static unsafe class GemmDriver
{
    // Below this many multiply-adds a second thread costs more to wake than it saves.
    internal const long ParallelThreshold = 1L << 18;

    private struct Job<T> where T : unmanaged, INumber<T>
    {
        public T* A, B, C;
        public int M, N, K;
        public bool TransposeA, TransposeB, Accumulate;
        public GemmPlan<T> Plan;
        public bool SplitRows;   // rows split across threads, sharing packed B; otherwise columns split
        public T* SharedB;       // two [Kc, Nc] buffers, alternated so one barrier per slice suffices
        public nint SharedBSize;
    }

    public static void Multiply<T>(T* a, T* b, T* c, int m, int n, int k, bool transposeA, bool transposeB,
        bool accumulate, in GemmPlan<T> plan, int maxThreads) where T : unmanaged, INumber<T>
    {
        var job = new Job<T>
        {
            A = a, B = b, C = c, M = m, N = n, K = k,
            TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate, Plan = plan,
        };
        int threads = (long)m * n * k >= ParallelThreshold ? Math.Min(maxThreads, GemmWorkers.MaxThreads) : 1;
        if (threads > 1)
        {
            // Split whichever way leaves the busiest thread the fewest register tiles; ties go to rows,
            // which share one packed copy of B.
            long rowTiles = (m + plan.Mr - 1) / plan.Mr, columnTiles = (n + plan.Nr - 1) / plan.Nr;
            long byRows = (rowTiles + threads - 1) / threads * columnTiles;
            long byColumns = (columnTiles + threads - 1) / threads * rowTiles;
            job.SplitRows = byRows <= byColumns;
            if (job.SplitRows)
            {
                job.SharedBSize = (nint)plan.Kc * Math.Min(plan.Nc, RoundUp(n, plan.Nr));
                job.SharedB = GemmBuffers.PackedB<T>(2 * job.SharedBSize);
            }
            if (GemmWorkers.TryRun(&Run<T>, &job, threads))
                return;
            job.SplitRows = false;
        }
        Run<T>(&job, 0, 1);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    // The share of `tiles` register tiles that member `member` of `threads` works on.
    private static (int Start, int End) Share(int tiles, int member, int threads)
        => ((int)((long)tiles * member / threads), (int)((long)tiles * (member + 1) / threads));

    private static void Run<T>(void* state, int member, int threads) where T : unmanaged, INumber<T>
    {
        ref Job<T> job = ref *(Job<T>*)state;
        ref readonly GemmPlan<T> plan = ref job.Plan;
        int mr = plan.Mr, nr = plan.Nr;
        int rowStart = 0, rowEnd = job.M, columnStart = 0, columnEnd = job.N;
        bool shareB = threads > 1 && job.SplitRows;
        if (threads > 1)
        {
            if (job.SplitRows)
            {
                var (first, end) = Share((job.M + mr - 1) / mr, member, threads);
                rowStart = first * mr;
                rowEnd = Math.Min(end * mr, job.M);
            }
            else
            {
                var (first, end) = Share((job.N + nr - 1) / nr, member, threads);
                columnStart = first * nr;
                columnEnd = Math.Min(end * nr, job.N);
                if (columnStart >= columnEnd)
                    return;
            }
        }

        nint lda = job.TransposeA ? job.M : job.K;
        nint ldb = job.TransposeB ? job.K : job.N;
        nint ldc = job.N;
        int mcMax = Math.Min(plan.Mc, RoundUp(Math.Max(rowEnd - rowStart, 1), mr));
        int kcMax = Math.Min(plan.Kc, job.K);
        T* packedA = GemmBuffers.PackedA<T>((nint)mcMax * kcMax);
        T* privateB = shareB ? null : GemmBuffers.PackedB<T>((nint)kcMax * Math.Min(plan.Nc, RoundUp(columnEnd - columnStart, nr)));
        int slice = 0;

        for (int jc = columnStart; jc < columnEnd; jc += plan.Nc)
        {
            int nc = Math.Min(plan.Nc, columnEnd - jc);
            int panels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < job.K; pc += plan.Kc, slice++)
            {
                int kc = Math.Min(plan.Kc, job.K - pc);
                T* packedB;
                if (shareB)
                {
                    packedB = job.SharedB + (slice & 1) * job.SharedBSize;
                    var (first, end) = Share(panels, member, threads);
                    GemmPacking.PackB(job.B, ldb, job.TransposeB, pc, kc, jc, nc, nr, first, end, packedB);
                    GemmWorkers.Barrier(threads);
                }
                else
                {
                    packedB = privateB;
                    GemmPacking.PackB(job.B, ldb, job.TransposeB, pc, kc, jc, nc, nr, 0, panels, packedB);
                }
                bool addToC = job.Accumulate || pc > 0;
                for (int ic = rowStart; ic < rowEnd; ic += plan.Mc)
                {
                    int mc = Math.Min(plan.Mc, rowEnd - ic);
                    GemmPacking.PackA(job.A, lda, job.TransposeA, ic, mc, pc, kc, mr, packedA);
                    MacroKernel(in plan, mc, nc, kc, packedA, packedB, job.C + ic * ldc + jc, ldc, addToC);
                }
            }
        }
    }

    // C[mc, nc] (+)= packedA[mc, kc] · packedB[kc, nc], one register tile at a time.
    private static void MacroKernel<T>(in GemmPlan<T> plan, int mc, int nc, int kc, T* packedA, T* packedB,
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
